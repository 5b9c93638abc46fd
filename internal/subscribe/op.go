package subscribe

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/ticker-dev/ticker/internal/codec"
)

// OpKind is what a client op asks for.
type OpKind uint8

// The ops of ticker.v1.
const (
	OpSub   OpKind = iota + 1 // subscribe to Subjects
	OpUnsub                   // unsubscribe from Subjects
	OpPing                    // ask for a pong
	OpAuth                    // replace the connection's token
)

// String returns the op's wire name: "sub", "unsub", "ping" or "auth".
func (k OpKind) String() string {
	switch k {
	case OpSub:
		return "sub"
	case OpUnsub:
		return "unsub"
	case OpPing:
		return "ping"
	case OpAuth:
		return "auth"
	}
	return "OpKind(" + strconv.Itoa(int(k)) + ")"
}

func opKindOf(name string) (OpKind, bool) {
	switch name {
	case "sub":
		return OpSub, true
	case "unsub":
		return OpUnsub, true
	case "ping":
		return OpPing, true
	case "auth":
		return OpAuth, true
	}
	return 0, false
}

// Op is one parsed client op.
type Op struct {
	Kind OpKind
	ID   codec.ID // echoed in the reply; unset when the client sent none
	// Subjects are the patterns of a sub or unsub, in the client's order,
	// type-checked but not validated (that is the Policy's job). Never empty
	// for a sub or unsub; nil for a ping or auth.
	Subjects []string
	// MaxRate is the most updates per second per subject a sub asks for;
	// 0 means unlimited. Always in [0, MaxRate].
	MaxRate float64
	// Delta asks a sub for field deltas.
	Delta bool
	// Token is the JWT of an auth op, at most MaxTokenLen bytes; never empty
	// for an auth.
	Token string
}

// MaxRate is the highest max_rate a client may ask for.
const MaxRate = 1000

// ValidRate reports whether r is a max_rate a client may ask for (or a
// server cap): a number from 0 (unlimited) to MaxRate.
func ValidRate(r float64) bool { return r >= 0 && r <= MaxRate } // false for NaN

// MaxTokenLen bounds the token of an auth op (the verifier's limit).
const MaxTokenLen = 8192

// defaultMaxSubjects is the default for Parser.MaxSubjects and Policy.MaxSubs.
const defaultMaxSubjects = 256

// Parser reads client ops. The zero value is ready to use.
type Parser struct {
	// MaxSubjects bounds the declared length of a msgpack subjects array;
	// 0 means 256. JSON frames are bounded by their size.
	MaxSubjects int
}

func (p Parser) maxSubjects() int {
	if p.MaxSubjects <= 0 {
		return defaultMaxSubjects
	}
	return p.MaxSubjects
}

// Parse reads one op from a frame in encoding k. Every failure is a
// bad_request Error, carrying the op's id whenever the frame parsed and its
// id was well-formed.
func (p Parser) Parse(k codec.Kind, frame []byte) (Op, *Error) {
	if k == codec.Msgpack {
		return p.parseMsgpack(frame)
	}
	return p.parseJSON(frame)
}

// maxKeys bounds the keys of one op object.
const maxKeys = 64

// The keys of an op object, as indexes into object.vals.
const (
	keyOp = iota
	keyID
	keySubjects
	keyMaxRate
	keyDelta
	keyToken
	numKeys
)

var keyNames = [numKeys]string{"op", "id", "subjects", "max_rate", "delta", "token"}

// object holds what a parser found in an op object before the checks both
// codecs share. A problem found while reading it is kept in dup or odd, so
// that it can be reported with the id, which may come later in the object.
type object struct {
	vals [numKeys][]byte // raw value of each known key; nil when absent
	dup  int             // first known key given twice, or -1
	odd  string          // another problem, e.g. trailing data
}

func newObject() object { return object{dup: -1} }

// set records the raw value of key; unknown keys are ignored.
func (o *object) set(key string, val []byte) {
	for i, name := range keyNames {
		if key != name {
			continue
		}
		if o.vals[i] != nil && o.dup < 0 {
			o.dup = i
		}
		o.vals[i] = val
	}
}

func (o *object) problem(format string, args ...any) {
	if o.odd == "" {
		o.odd = fmt.Sprintf(format, args...)
	}
}

// values reads the raw value of a known key in one encoding.
type values interface {
	id(raw []byte) (codec.ID, error)
	op(raw []byte) (string, error)
	subjects(raw []byte, limit int) ([]string, error)
	number(raw []byte) (float64, bool)
	boolean(raw []byte) (bool, bool)
	str(raw []byte) (string, bool)
}

// build makes the Op from an object that parsed, in the order that lets every
// error carry the id: id first, then the object's problems, op, subjects.
func (p Parser) build(o *object, v values) (Op, *Error) {
	var id codec.ID
	if o.dup == keyID {
		return Op{}, errorf(CodeBadRequest, id, `key "id" given twice`)
	}
	if raw := o.vals[keyID]; raw != nil {
		var err error
		if id, err = v.id(raw); err != nil {
			return Op{}, errorf(CodeBadRequest, codec.ID{}, "%v", err)
		}
	}
	if o.dup >= 0 {
		return Op{}, errorf(CodeBadRequest, id, "key %q given twice", keyNames[o.dup])
	}
	if o.odd != "" {
		return Op{}, errorf(CodeBadRequest, id, "%s", o.odd)
	}
	if o.vals[keyOp] == nil {
		return Op{}, errorf(CodeBadRequest, id, `missing "op"`)
	}
	name, err := v.op(o.vals[keyOp])
	if err != nil {
		return Op{}, errorf(CodeBadRequest, id, "%v", err)
	}
	kind, ok := opKindOf(name)
	if !ok {
		return Op{}, errorf(CodeBadRequest, id, "unknown op %s", quote(name))
	}
	raw := o.vals[keySubjects]
	var subjects []string
	if raw != nil {
		// Checked for a ping too: a wrong type anywhere is a bad request.
		if subjects, err = v.subjects(raw, p.maxSubjects()); err != nil {
			return Op{}, errorf(CodeBadRequest, id, "%v", err)
		}
	}
	op := Op{Kind: kind, ID: id}
	if e := readOptions(&op, o, v); e != nil {
		return Op{}, e
	}
	switch {
	case kind == OpPing || kind == OpAuth:
		subjects = nil
	case raw == nil:
		return Op{}, errorf(CodeBadRequest, id, `%s without "subjects"`, kind)
	case len(subjects) == 0:
		return Op{}, errorf(CodeBadRequest, id, `%s with empty "subjects"`, kind)
	}
	if kind == OpAuth && op.Token == "" {
		return Op{}, errorf(CodeBadRequest, id, `auth without "token"`)
	}
	op.Subjects = subjects
	return op, nil
}

// readOptions reads max_rate, delta and token into op. They are type-checked
// on every op: a wrong type anywhere is a bad request.
func readOptions(op *Op, o *object, v values) *Error {
	if raw := o.vals[keyMaxRate]; raw != nil {
		r, ok := v.number(raw)
		if !ok {
			return errorf(CodeBadRequest, op.ID, `"max_rate" must be a number`)
		}
		if !ValidRate(r) {
			return errorf(CodeBadRequest, op.ID, `"max_rate" must be a number from 0 to %d`, MaxRate)
		}
		op.MaxRate = r
	}
	if raw := o.vals[keyDelta]; raw != nil {
		d, ok := v.boolean(raw)
		if !ok {
			return errorf(CodeBadRequest, op.ID, `"delta" must be a boolean`)
		}
		op.Delta = d
	}
	if raw := o.vals[keyToken]; raw != nil {
		t, ok := v.str(raw)
		if !ok {
			return errorf(CodeBadRequest, op.ID, `"token" must be a string`)
		}
		if len(t) > MaxTokenLen {
			return errorf(CodeBadRequest, op.ID, `"token" longer than %d bytes`, MaxTokenLen)
		}
		op.Token = t
	}
	return nil
}

// stringID checks a string id.
func stringID(s string) (codec.ID, error) {
	if len(s) > codec.MaxIDLen {
		return codec.ID{}, fmt.Errorf(`"id" longer than %d bytes`, codec.MaxIDLen)
	}
	if !utf8.ValidString(s) {
		return codec.ID{}, fmt.Errorf(`"id" is not valid UTF-8`)
	}
	return codec.StringID(s), nil
}
