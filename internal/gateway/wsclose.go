package gateway

import (
	"errors"
	"strings"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/closecode"
)

// coder/websocket closes a connection itself when a client breaks a rule:
// with 1009 when a frame is over the read limit, with 1002 when the client
// breaks the WebSocket protocol. Read then fails, and the close frame it sent
// is the last one the connection may send, so the session counts that code.
//
// The read limit has a sentinel error; the protocol errors have none, only
// their texts, listed here from the library's read.go (v1.8.15).
// TestLibraryCloseIsTheCodeTheClientReceives checks the list against what
// the library sends: an upgrade that changes a text fails it.

// protocolErrors begin the errors Read returns after the library has sent
// 1002 (they may be wrapped).
var protocolErrors = []string{
	"received header with unexpected rsv bits set",
	"received unknown opcode",
	"received control frame payload with invalid length",
	"received fragmented control frame",
	"received invalid close payload",
	"received continuation frame without text or binary frame",
	"received new data message without finishing the previous message",
}

// libraryClose reports the close code coder/websocket sent before Read
// failed with err, if it sent one.
func libraryClose(err error) (closecode.Code, bool) {
	if err == nil {
		return 0, false
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		return closecode.MessageTooBig, true
	}
	if websocket.CloseStatus(err) >= 0 {
		return 0, false // the peer's close, which the library answered
	}
	msg := err.Error()
	for _, p := range protocolErrors {
		if strings.Contains(msg, p) {
			return closecode.ProtocolError, true
		}
	}
	return 0, false
}
