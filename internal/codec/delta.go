package codec

import "bytes"

// maxDeltaKeys bounds the keys of an update AppendDelta compares; a larger
// update goes whole.
const maxDeltaKeys = 64

// AppendDelta appends to dst a msgpack map of the fields of next that differ
// from prev: the keys whose encoded value changed or that are new, and
// always "seq" and "ts". prev and next are feed updates, msgpack maps. It
// reports false, with dst unchanged, when next cannot be sent as a delta of
// prev: a key of prev is missing from next (a delta cannot remove a field),
// either map is malformed or repeats a key, or it has more than maxDeltaKeys keys.
func AppendDelta(dst, prev, next []byte) ([]byte, bool) {
	var old, cur [maxDeltaKeys]field
	np, ok := fields(prev, &old)
	if !ok {
		return dst, false
	}
	nn, ok := fields(next, &cur)
	if !ok {
		return dst, false
	}
	po, nf := old[:np], cur[:nn]
	var changed [maxDeltaKeys]bool
	n, found := 0, 0
	for i, f := range nf {
		j := indexOf(po, f.key)
		if j >= 0 {
			found++
		}
		key := string(f.key)
		changed[i] = j < 0 || !bytes.Equal(po[j].val, f.val) || key == "seq" || key == "ts"
		if changed[i] {
			n++
		}
	}
	if found != len(po) {
		return dst, false
	}
	switch {
	case n < 16:
		dst = append(dst, 0x80|byte(n))
	default:
		dst = append(dst, 0xde, byte(n>>8), byte(n))
	}
	for i, f := range nf {
		if changed[i] {
			dst = append(dst, f.raw...)
		}
	}
	return dst, true
}

// field is one key of a msgpack map: the key, its value's encoded bytes,
// and the pair as encoded (key then value).
type field struct {
	key, val, raw []byte
}

// fields reads the keys of the msgpack map b into fs and returns how many.
// The arrays stay on the caller's stack: computing a delta allocates nothing.
func fields(b []byte, into *[maxDeltaKeys]field) (int, bool) {
	r := NewReader(b)
	n, err := r.MapLen()
	if err != nil || n > maxDeltaKeys {
		return 0, false
	}
	fs := into[:0]
	for i := 0; i < n; i++ {
		start := r.off
		key, err := r.Str()
		if err != nil {
			return 0, false
		}
		if indexOf(fs, key) >= 0 {
			return 0, false // a key given twice: which value holds is unclear
		}
		vs := r.off
		if err := r.Skip(); err != nil {
			return 0, false
		}
		fs = append(fs, field{key: key, val: b[vs:r.off], raw: b[start:r.off]})
	}
	return len(fs), r.Len() == 0
}

func indexOf(fs []field, key []byte) int {
	for i, f := range fs {
		if bytes.Equal(f.key, key) {
			return i
		}
	}
	return -1
}
