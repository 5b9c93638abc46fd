package rawserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// op is a client op, read just enough: op, id, subjects.
type op struct {
	op       string
	id       codec.ID
	subjects []string
}

// parseOp reads one op from a frame in encoding k. The id is returned when
// it could be read, even with an error.
func parseOp(k codec.Kind, frame []byte) (op, error) {
	var raw struct {
		Op       string   `json:"op" msgpack:"op"`
		ID       any      `json:"id" msgpack:"id"`
		Subjects []string `json:"subjects" msgpack:"subjects"`
	}
	var err error
	if k == codec.Msgpack {
		err = msgpack.Unmarshal(frame, &raw)
	} else {
		dec := json.NewDecoder(bytes.NewReader(frame))
		dec.UseNumber()
		err = dec.Decode(&raw)
	}
	o := op{op: raw.Op, id: idOf(raw.ID), subjects: raw.Subjects}
	if err != nil {
		return o, fmt.Errorf("cannot parse the op: %v", err)
	}
	if (o.op == "sub" || o.op == "unsub") && len(o.subjects) == 0 {
		return o, errors.New("subjects missing or empty")
	}
	return o, nil
}

// idOf converts a decoded id to a codec.ID; anything else is no id.
func idOf(v any) codec.ID {
	switch id := v.(type) {
	case string:
		if len(id) <= codec.MaxIDLen {
			return codec.StringID(id)
		}
	case json.Number:
		if n, err := strconv.ParseInt(string(id), 10, 64); err == nil {
			return codec.IntID(n)
		}
	case int8:
		return codec.IntID(int64(id))
	case int16:
		return codec.IntID(int64(id))
	case int32:
		return codec.IntID(int64(id))
	case int64:
		return codec.IntID(id)
	case uint8:
		return codec.IntID(int64(id))
	case uint16:
		return codec.IntID(int64(id))
	case uint32:
		return codec.IntID(int64(id))
	case uint64:
		if id <= 1<<63-1 {
			return codec.IntID(int64(id))
		}
	}
	return codec.ID{}
}
