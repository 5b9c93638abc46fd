package publish

import (
	"encoding/binary"
	"math"
)

// AppendQuote appends a quote update for symbol as a msgpack map with the
// keys and types of codec.Quote (symbol, bid, ask, last, size, volume, seq,
// ts), the payload the feed publishes and the load's publisher sends.
// Prices move with seq so successive updates differ; the encoding is by hand
// because the publisher runs at up to a million updates a second.
func AppendQuote(dst []byte, symbol string, seq uint64, ts int64) []byte {
	cents := int64(10_000 + seq%2_000) // 100.00 .. 119.99
	last := float64(cents) / 100
	dst = append(dst, 0x88) // a map of 8 pairs
	dst = appendStr(dst, "symbol")
	dst = appendStr(dst, symbol)
	dst = appendStr(dst, "bid")
	dst = appendFloat(dst, last-0.01)
	dst = appendStr(dst, "ask")
	dst = appendFloat(dst, last+0.01)
	dst = appendStr(dst, "last")
	dst = appendFloat(dst, last)
	dst = appendStr(dst, "size")
	dst = appendInt(dst, 100)
	dst = appendStr(dst, "volume")
	dst = appendInt(dst, int64(seq)*100)
	dst = appendStr(dst, "seq")
	dst = append(dst, 0xcf) // uint64
	dst = binary.BigEndian.AppendUint64(dst, seq)
	dst = appendStr(dst, "ts")
	return appendInt(dst, ts)
}

// appendStr appends a msgpack string of fewer than 256 bytes.
func appendStr(dst []byte, s string) []byte {
	if len(s) < 32 {
		dst = append(dst, 0xa0|byte(len(s)))
	} else {
		dst = append(dst, 0xd9, byte(len(s)))
	}
	return append(dst, s...)
}

// appendFloat appends a msgpack float64.
func appendFloat(dst []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, 0xcb), math.Float64bits(f))
}

// appendInt appends a msgpack int64.
func appendInt(dst []byte, n int64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(n))
}
