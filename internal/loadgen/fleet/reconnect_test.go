package fleet

import (
	"io"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestOnlyAGoingAwayReadingConnectionReconnects(t *testing.T) {
	closed := func(code websocket.StatusCode) error { return websocket.CloseError{Code: code} }
	for _, tt := range []struct {
		name        string
		err         error
		stall       bool
		noReconnect bool
		want        bool
	}{
		{"1001 going away", closed(websocket.StatusGoingAway), false, false, true},
		{"1001 on a stalled connection", closed(websocket.StatusGoingAway), true, false, false},
		{"1001 with --no-reconnect", closed(websocket.StatusGoingAway), false, true, false},
		{"1000 normal", closed(websocket.StatusNormalClosure), false, false, false},
		{"1008 slow consumer", closed(websocket.StatusPolicyViolation), false, false, false},
		{"1011 internal error", closed(websocket.StatusInternalError), false, false, false},
		{"1013 try again later", closed(websocket.StatusTryAgainLater), false, false, false},
		{"cut without a close frame", io.ErrUnexpectedEOF, false, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &Fleet{cfg: Config{NoReconnect: tt.noReconnect}}
			c := &conn{f: f, stall: tt.stall}
			if got := c.shouldReconnect(tt.err); got != tt.want {
				t.Errorf("shouldReconnect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTheReconnectDelayEndsWhenTheRunCloses(t *testing.T) {
	f := &Fleet{cfg: Config{ReconnectJitter: time.Hour}, closed: make(chan struct{})}
	close(f.closed)
	f.closing.Store(true)
	if f.reconnectDelay(t.Context()) {
		t.Error("a closing run reconnects")
	}
	f = &Fleet{closed: make(chan struct{})}
	if !f.reconnectDelay(t.Context()) {
		t.Error("no jitter: no reconnect")
	}
}
