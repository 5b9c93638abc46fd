package rawserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// maxSubjects bounds the entries a msgpack subjects array may declare. The
// server has no subscription limit; this is coder/websocket's default read
// limit (32 KiB), and every entry takes at least a byte of the frame.
const maxSubjects = 32 << 10

// Options configure New. Only NATSURL is required.
type Options struct {
	NATSURL  string
	QueueLen int // messages a subscriber may have pending; default 256
	Logger   *slog.Logger
}

// Server is the reference fan-out server. Its Handler serves /ws and /metrics.
//
// Lock order: subMu, then mu.
type Server struct {
	nc       *nats.Conn
	log      *slog.Logger
	queueLen int
	reg      *prometheus.Registry
	parser   subscribe.Parser

	subMu sync.Mutex // serialises changes of NATS subscriptions
	mu    sync.RWMutex
	// topics are the subscribed subjects (or patterns) and their
	// subscribers; NATS handlers read them under mu.RLock.
	topics map[string]*topic
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup // connection goroutines
}

// topic is one NATS subscription and the connections that asked for it.
type topic struct {
	sub     *nats.Subscription
	conns   map[*conn]struct{}
	scratch []byte // the JSON transcoding, reused by the subscription's handler
}

// New connects to NATS.
func New(opts Options) (*Server, error) {
	if opts.QueueLen <= 0 {
		opts.QueueLen = 256
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	nc, err := nats.Connect(opts.NATSURL, nats.Name("feedsim rawserver"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", opts.NATSURL, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Server{nc: nc, log: opts.Logger, queueLen: opts.QueueLen, reg: reg,
		parser: subscribe.Parser{MaxSubjects: maxSubjects},
		topics: map[string]*topic{}, conns: map[*conn]struct{}{}}, nil
}

// Handler serves /ws (ticker.v1) and /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/ws", s.serveWS)
	return mux
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols: []string{codec.SubprotocolJSON, codec.SubprotocolMsgpack},
	})
	if err != nil {
		return // Accept has answered
	}
	c := newConn(s, ws)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close(websocket.StatusGoingAway, "server closing")
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	c.run()
}

// subscribe adds c to subjects, subscribing to NATS the ones new to the
// server, then queues the ack: it comes before any update of these subjects.
func (s *Server) subscribe(c *conn, subjects []string, ack []byte) error {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for _, subj := range subjects {
		s.mu.RLock()
		_, ok := s.topics[subj]
		s.mu.RUnlock()
		if ok {
			continue
		}
		t := &topic{conns: map[*conn]struct{}{}}
		sub, err := s.nc.Subscribe(subj, func(m *nats.Msg) { s.deliver(t, m) })
		if err != nil {
			return fmt.Errorf("subscribe %q: %w", subj, err)
		}
		t.sub = sub
		s.mu.Lock()
		s.topics[subj] = t
		s.mu.Unlock()
	}
	if err := s.nc.Flush(); err != nil {
		return fmt.Errorf("flush subscriptions: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, subj := range subjects {
		s.topics[subj].conns[c] = struct{}{}
		c.subjects[subj] = struct{}{}
	}
	c.send(ack)
	return nil
}

// unsubscribe removes c from subjects (all of its own when nil), and drops
// the NATS subscriptions nobody needs any more.
func (s *Server) unsubscribe(c *conn, subjects []string) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if subjects == nil {
		for subj := range c.subjects {
			subjects = append(subjects, subj)
		}
	}
	for _, subj := range subjects {
		t, ok := s.topics[subj]
		if !ok {
			continue
		}
		delete(t.conns, c)
		delete(c.subjects, subj)
		if len(t.conns) == 0 {
			_ = t.sub.Unsubscribe()
			delete(s.topics, subj)
		}
	}
}

// deliver sends one NATS message to the topic's subscribers, encoded once
// per codec in use. It runs on the subscription's own goroutine.
func (s *Server) deliver(t *topic, m *nats.Msg) {
	var frames [codec.NumKinds][]byte
	s.mu.RLock()
	defer s.mu.RUnlock()
	for c := range t.conns {
		f := frames[c.kind]
		if f == nil {
			data := m.Data
			if c.kind == codec.JSON {
				var err error
				if t.scratch, _, err = codec.Transcode(t.scratch[:0], m.Data); err != nil {
					return // not a feed update: dropped
				}
				data = t.scratch
			}
			f = codec.AppendMsg(c.kind, make([]byte, 0, len(data)+len(m.Subject)+48), m.Subject, data, false)
			frames[c.kind] = f
		}
		c.send(f)
	}
}

// Close closes every connection with 1001 and the NATS connection, and waits
// for the connections' goroutines.
func (s *Server) Close(ctx context.Context) {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.kill(websocket.StatusGoingAway, "server closing")
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			_ = c.ws.CloseNow()
		}
		s.mu.Unlock()
		<-done
	}
	s.nc.Close()
}
