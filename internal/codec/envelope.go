package codec

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// The Append functions build server messages of ticker.v1. Each appends one
// complete message to dst; the writer joins several into a frame.

// AppendMsg appends a "msg" envelope for a feed update on subject. data is the
// update in k's encoding: the JSON object from Transcode, or the feed's own
// msgpack map, which is copied unchanged.
func AppendMsg(k Kind, dst []byte, subject string, data []byte, snapshot bool) []byte {
	if k == Msgpack {
		n := byte(3)
		if snapshot {
			n = 4
		}
		dst = append(dst, 0x80|n)
		dst = appendMsgpackStr(dst, "op")
		dst = appendMsgpackStr(dst, "msg")
		dst = appendMsgpackStr(dst, "subject")
		dst = appendMsgpackStr(dst, subject)
		if snapshot {
			dst = appendMsgpackStr(dst, "snapshot")
			dst = append(dst, 0xc3) // true
		}
		dst = appendMsgpackStr(dst, "data")
		return append(dst, data...)
	}
	dst = append(dst, `{"op":"msg","subject":`...)
	dst = appendJSONText(dst, subject)
	if snapshot {
		dst = append(dst, `,"snapshot":true`...)
	}
	dst = append(dst, `,"data":`...)
	dst = append(dst, data...)
	return append(dst, '}')
}

// AppendAck appends {"op":"ack","id":...}.
func AppendAck(k Kind, dst []byte, id ID) []byte { return appendReply(k, dst, "ack", id, "", "") }

// AppendPong appends {"op":"pong","id":...}.
func AppendPong(k Kind, dst []byte, id ID) []byte { return appendReply(k, dst, "pong", id, "", "") }

// AppendError appends {"op":"error","id":...,"code":...,"msg":...}.
func AppendError(k Kind, dst []byte, id ID, code, msg string) []byte {
	return appendReply(k, dst, "error", id, code, msg)
}

// appendReply writes op, then id when set, then code and msg when code is set.
func appendReply(k Kind, dst []byte, op string, id ID, code, msg string) []byte {
	return closeReply(k, openReply(k, dst, op, id, code, msg, 0))
}

// openReply writes a reply as appendReply does, but leaves room for extra
// more keys, which the caller appends (see appendKey) before closeReply.
func openReply(k Kind, dst []byte, op string, id ID, code, msg string, extra byte) []byte {
	if k == Msgpack {
		n := 1 + extra
		if id.isSet() {
			n++
		}
		if code != "" {
			n += 2
		}
		dst = append(dst, 0x80|n)
		dst = appendMsgpackStr(dst, "op")
		dst = appendMsgpackStr(dst, op)
		if id.isSet() {
			dst = appendMsgpackStr(dst, "id")
			if id.kind == idInt {
				dst = appendMsgpackInt(dst, id.n)
			} else {
				dst = appendMsgpackStr(dst, id.s)
			}
		}
		if code != "" {
			dst = appendMsgpackStr(dst, "code")
			dst = appendMsgpackStr(dst, code)
			dst = appendMsgpackStr(dst, "msg")
			dst = appendMsgpackStr(dst, msg)
		}
		return dst
	}
	dst = append(dst, `{"op":"`...)
	dst = append(dst, op...)
	dst = append(dst, '"')
	if id.isSet() {
		dst = append(dst, `,"id":`...)
		if id.kind == idInt {
			dst = strconv.AppendInt(dst, id.n, 10)
		} else {
			dst = appendJSONText(dst, id.s)
		}
	}
	if code != "" {
		dst = append(dst, `,"code":`...)
		dst = appendJSONText(dst, code)
		dst = append(dst, `,"msg":`...)
		dst = appendJSONText(dst, msg)
	}
	return dst
}

// appendKey starts one more key of an open reply.
func appendKey(k Kind, dst []byte, key string) []byte {
	if k == Msgpack {
		return appendMsgpackStr(dst, key)
	}
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

// closeReply ends an open reply.
func closeReply(k Kind, dst []byte) []byte {
	if k == Msgpack {
		return dst
	}
	return append(dst, '}')
}

// AppendDeltaMsg appends a "msg" envelope marked "delta":true: data holds
// only the fields of the update that changed since the one before it (seq-1)
// of subject, with its seq and ts, in k's encoding.
func AppendDeltaMsg(k Kind, dst []byte, subject string, data []byte) []byte {
	if k == Msgpack {
		dst = append(dst, 0x80|4)
		dst = appendMsgpackStr(dst, "op")
		dst = appendMsgpackStr(dst, "msg")
		dst = appendMsgpackStr(dst, "subject")
		dst = appendMsgpackStr(dst, subject)
		dst = appendMsgpackStr(dst, "delta")
		dst = append(dst, 0xc3) // true
		dst = appendMsgpackStr(dst, "data")
		return append(dst, data...)
	}
	dst = append(dst, `{"op":"msg","subject":`...)
	dst = appendJSONText(dst, subject)
	dst = append(dst, `,"delta":true,"data":`...)
	dst = append(dst, data...)
	return append(dst, '}')
}

// AppendSubAck appends the ack of a sub: {"op":"ack","id":...}, with
// "max_rate" when maxRate is positive: the most updates per second per
// subject that took effect for the sub's patterns.
func AppendSubAck(k Kind, dst []byte, id ID, maxRate float64) []byte {
	if maxRate <= 0 {
		return AppendAck(k, dst, id)
	}
	dst = openReply(k, dst, "ack", id, "", "", 1)
	dst = appendKey(k, dst, "max_rate")
	if k == Msgpack {
		bits := math.Float64bits(maxRate)
		dst = append(dst, 0xcb) // float64
		for shift := 56; shift >= 0; shift -= 8 {
			dst = append(dst, byte(bits>>shift))
		}
	} else {
		dst = strconv.AppendFloat(dst, maxRate, 'g', -1, 64)
	}
	return closeReply(k, dst)
}

// AppendRevoked appends
// {"op":"revoked","id":...,"code":...,"msg":...,"subjects":[...]}: the
// patterns the connection held that the server removed, with the error code
// and text that say why (a refreshed token that no longer grants them). id is
// the op that caused it.
func AppendRevoked(k Kind, dst []byte, id ID, subjects []string, code, msg string) []byte {
	dst = openReply(k, dst, "revoked", id, code, msg, 1)
	dst = appendKey(k, dst, "subjects")
	if k == Msgpack {
		switch n := len(subjects); {
		case n < 16:
			dst = append(dst, 0x90|byte(n))
		case n < 1<<16:
			dst = append(dst, 0xdc, byte(n>>8), byte(n))
		default:
			dst = append(dst, 0xdd, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		}
		for _, s := range subjects {
			dst = appendMsgpackStr(dst, s)
		}
		return dst
	}
	dst = append(dst, '[')
	for i, s := range subjects {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONText(dst, s)
	}
	return append(dst, "]}"...)
}

// appendJSONText appends a Go string as a JSON string, replacing invalid UTF-8
// (server-side text, such as an error message quoting client input, is never
// refused).
func appendJSONText(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // replaces invalid bytes with U+FFFD
	}
	dst, _ = appendJSONString(dst, []byte(s))
	return dst
}

func appendMsgpackStr(dst []byte, s string) []byte {
	switch n := len(s); {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n < 1<<8:
		dst = append(dst, 0xd9, byte(n))
	case n < 1<<16:
		dst = append(dst, 0xda, byte(n>>8), byte(n))
	default:
		dst = append(dst, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, s...)
}

func appendMsgpackInt(dst []byte, n int64) []byte {
	switch {
	case n >= 0 && n < 128, n >= -32 && n < 0:
		return append(dst, byte(n))
	}
	dst = append(dst, 0xd3) // int64
	for shift := 56; shift >= 0; shift -= 8 {
		dst = append(dst, byte(n>>shift))
	}
	return dst
}
