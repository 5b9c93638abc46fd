package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticker-dev/ticker/internal/protocol"
)

// Timings of a session.
const (
	writeTimeout     = 10 * time.Second // one op
	rateLimitedRetry = time.Second      // resend a sub refused with rate_limited after this
)

// session is one open connection of a Client: its reader goroutine routes
// what the server sends; run, on Run's goroutine, subscribes, watches for
// silence and ends it.
type session struct {
	c       *Client
	conn    *Conn
	url     string
	attempt int
	lastRx  atomic.Int64 // Unix nanoseconds of the last frame

	token   string          // the token the connection opened with
	deltas  *deltaStore     // the reader's only
	ctx     context.Context // ends with the session: for TokenFunc
	cancel  context.CancelFunc
	pending sync.WaitGroup // timer functions started and not returned

	mu           sync.Mutex
	end          *CloseError   // set by whoever ends the session first
	timers       []*time.Timer // rate_limited resends, token refreshes
	exp          time.Time     // of the token in force
	refreshFails int           // token refreshes failed in a row
}

func newSession(c *Client, conn *Conn, attempt int, token string) *session {
	s := &session{c: c, conn: conn, url: conn.URL(), attempt: attempt, token: token, deltas: newDeltaStore()}
	s.lastRx.Store(time.Now().UnixNano())
	return s
}

// after calls f after d on a goroutine of its own, unless the session has
// ended; run waits for it before returning.
func (s *session) after(d time.Duration, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end != nil {
		return
	}
	s.pending.Add(1)
	s.timers = append(s.timers, time.AfterFunc(d, func() {
		defer s.pending.Done()
		f()
	}))
}

// run serves the connection until it ends and returns how it ended.
func (s *session) run(ctx context.Context) *CloseError {
	c := s.c
	s.ctx, s.cancel = context.WithCancel(ctx)
	c.mu.Lock()
	c.cur = s
	ops := c.reg.resubscribeAll()
	c.mu.Unlock()
	c.emit(Event{State: Open, URL: s.url, Attempt: s.attempt, Codec: s.conn.Codec()})

	read := make(chan struct{})
	go s.read(read)
	s.send(ops)
	s.scheduleRefresh(s.token)
	s.watch(ctx, read)
	_ = s.conn.CloseNow() // ended already; this frees what is left of it

	c.mu.Lock()
	c.cur = nil
	c.reg.disconnected()
	c.mu.Unlock()
	s.mu.Lock()
	if s.end == nil { // the reader always says how; this is a guard
		s.end = &CloseError{URL: s.url, Code: StatusAbnormal, Reason: "connection lost"}
	}
	for _, t := range s.timers {
		if t.Stop() {
			s.pending.Done()
		}
	}
	end := s.end
	s.mu.Unlock()
	s.cancel()
	s.pending.Wait()
	return end
}

// watch waits for the reader to end, closing the connection when ctx ends
// or it has been silent too long.
func (s *session) watch(ctx context.Context, read <-chan struct{}) {
	idle := s.c.opts.IdleTimeout
	var tick <-chan time.Time
	if idle > 0 {
		t := time.NewTicker(idle / 5)
		defer t.Stop()
		tick = t.C
	}
	pinged := false
	for {
		select {
		case <-read:
			return
		case <-ctx.Done():
			s.close(StatusNormal, "closed by client")
			<-read
			return
		case <-tick:
			quiet := time.Since(time.Unix(0, s.lastRx.Load()))
			switch {
			case quiet >= idle:
				s.close(StatusClientTimeout, fmt.Sprintf("nothing received for %v", quiet.Round(time.Second)))
			case quiet >= idle*3/5 && !pinged:
				pinged = true
				s.c.mu.Lock()
				op := s.c.reg.keepalive()
				s.c.mu.Unlock()
				s.send([]outOp{op})
			case quiet < idle*3/5:
				pinged = false
			}
		}
	}
}

// close ends the connection from this side with code and reason. The
// closing handshake waits for the server's answer, 5 s at most; the reader
// then ends.
func (s *session) close(code int, reason string) {
	s.setEnd(&CloseError{URL: s.url, Code: code, Reason: reason})
	_ = s.conn.CloseWith(code, reason)
}

func (s *session) setEnd(ce *CloseError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end == nil {
		s.end = ce
	}
}

// send writes ops in order; the first failure ends the connection (the
// reader then reports how).
func (s *session) send(ops []outOp) {
	for _, o := range ops {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		err := s.conn.Send(ctx, o.encode())
		cancel()
		if err != nil {
			_ = s.conn.CloseNow()
			return
		}
	}
}

// read reads until the connection ends.
func (s *session) read(done chan<- struct{}) {
	defer close(done)
	for {
		m, err := s.conn.Next(context.Background())
		now := time.Now()
		if err != nil {
			var ce *CloseError
			if errors.As(err, &ce) {
				s.setEnd(ce)
				return
			}
			continue // one unreadable message; the next one may be fine
		}
		s.lastRx.Store(now.UnixNano())
		s.handle(m, now)
	}
}

// handle routes one server message.
func (s *session) handle(m Message, now time.Time) {
	c := s.c
	switch m.Op {
	case protocol.OpMsg:
		c.stats.received.Add(1)
		if c.opts.OnUpdate == nil || m.Subject == "" {
			return
		}
		c.mu.Lock()
		held, delta := c.reg.holdsDelta(m.Subject) // not held: one in flight when it was unsubscribed
		c.mu.Unlock()
		if held {
			s.deliver(m, delta, now)
		}
	case protocol.OpAck, protocol.OpPong:
		id, ok := idOf(m.ID)
		if !ok {
			return
		}
		c.mu.Lock()
		var p pending
		if m.Op == protocol.OpAck {
			p, ok = c.reg.acked(id)
		} else {
			c.reg.ponged(id)
			s.deltas.ponged(id)
		}
		s.announce()
		c.mu.Unlock()
		if ok && p.kind == pendingAuth {
			s.refreshed(p.token)
		}
	case protocol.OpRevoked:
		s.revoked(m)
	case protocol.OpError:
		id, ok := idOf(m.ID)
		if !ok {
			return // no id: not an answer to an op of this client
		}
		c.mu.Lock()
		auth := c.reg.authRefused(id)
		c.mu.Unlock()
		if auth {
			s.refreshFailed(&ServerError{Code: m.Code, Msg: m.Msg}, m.Code == CodeBadToken)
			return
		}
		c.mu.Lock()
		r := c.reg.refused(id, m.Code)
		held := c.reg.held()
		c.mu.Unlock()
		for _, rec := range r.refused {
			c.emit(Event{State: Refused, URL: s.url, Attempt: s.attempt, Codec: s.conn.Codec(), Patterns: rec.patterns,
				Err: &ServerError{Code: m.Code, Msg: m.Msg, Patterns: rec.patterns}})
		}
		if len(r.refused) > 0 {
			c.mb.forget(func(subject string) bool { return anyMatches(held, subject) })
		}
		if len(r.retry) > 0 {
			s.resendLater(r.retry)
		}
		s.send(r.split)
		c.mu.Lock()
		s.announce()
		c.mu.Unlock()
	}
}

// announce reports Subscribed when everything held is in effect. Called
// with c.mu held.
func (s *session) announce() {
	c := s.c
	if c.cur == s && c.reg.subscribed() {
		c.emit(Event{State: Subscribed, URL: s.url, Attempt: s.attempt, Codec: s.conn.Codec(), Patterns: c.reg.held()})
	}
}

// resendLater subscribes recs again after rateLimitedRetry, if they are
// still held and the connection still open.
func (s *session) resendLater(recs []*record) {
	s.after(rateLimitedRetry, func() {
		c := s.c
		c.mu.Lock()
		var ops []outOp
		if c.cur == s {
			var alive []*record
			for _, rec := range recs {
				for _, held := range c.reg.records {
					if held == rec {
						alive = append(alive, rec)
					}
				}
			}
			ops = c.reg.subOps(alive, true)
		}
		c.mu.Unlock()
		s.send(ops)
	})
}
