package main

import (
	"fmt"
	"io"
	"time"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

// lines is the piped view: each update as one line of JSON, the msg as the
// gateway sent it (on a msgpack connection, the same msg the gateway sends
// JSON clients, made with its own transcoder), ready for jq. Connection
// events go to log (stderr), one line each.
type lines struct {
	out        io.Writer
	log        io.Writer
	buf, data  []byte
	subscribed bool // once: later Subscribed events are resubscriptions
}

func (l *lines) update(u client.Update) error {
	if u.Codec == client.Msgpack {
		var err error
		if l.data, _, err = codec.Transcode(l.data[:0], u.Data); err != nil {
			return fmt.Errorf("transcode %s: %w", u.Subject, err)
		}
		l.buf = codec.AppendMsg(codec.JSON, l.buf[:0], u.Subject, l.data, u.Snapshot)
	} else {
		l.buf = append(l.buf[:0], u.Raw...)
	}
	_, err := l.out.Write(append(l.buf, '\n'))
	return err
}

func (l *lines) event(e client.Event) {
	switch {
	case e.State == client.Closed && !e.Final && e.Code == client.StatusAbnormal: // failed, or lost without a close
		fmt.Fprintf(l.log, "feedsim: %s: %s; retrying in %v\n", e.URL, e.Reason, e.RetryIn.Round(time.Millisecond))
	case e.State == client.Closed && !e.Final:
		fmt.Fprintf(l.log, "feedsim: %s: closed with %d %s; reconnecting in %v\n", e.URL, e.Code, e.Reason, e.RetryIn.Round(time.Millisecond))
	case e.State == client.Subscribed && l.subscribed:
		fmt.Fprintf(l.log, "feedsim: %s: subscribed again\n", e.URL)
	case e.State == client.Subscribed:
		l.subscribed = true
	}
}

func (l *lines) close() {}
