package codec

import "strconv"

// MaxIDLen is the longest string id a client may send.
const MaxIDLen = 64

// ID is the optional id of a client op, echoed unchanged in the reply: absent,
// an integer, or a string of at most MaxIDLen bytes. The zero value is absent.
type ID struct {
	kind idKind
	n    int64
	s    string
}

type idKind uint8

const (
	idNone idKind = iota
	idInt
	idString
)

// IntID returns an integer id.
func IntID(n int64) ID { return ID{kind: idInt, n: n} }

// StringID returns a string id. The caller keeps it within MaxIDLen and valid
// UTF-8: a JSON reply would carry invalid bytes as U+FFFD, and the client
// would not get its id back.
func StringID(s string) ID { return ID{kind: idString, s: s} }

// isSet reports whether the op carried an id.
func (id ID) isSet() bool { return id.kind != idNone }

// String formats the id for logs and tests: 7, "abc", or empty when absent.
func (id ID) String() string {
	switch id.kind {
	case idInt:
		return strconv.FormatInt(id.n, 10)
	case idString:
		return strconv.Quote(id.s)
	}
	return ""
}
