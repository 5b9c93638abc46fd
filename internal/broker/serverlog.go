package broker

import (
	"fmt"
	"log/slog"
	"sync"
)

// serverLog sends the embedded server's logs to slog. Its notices (the
// banner, the JetStream art, the start and stop steps) go at debug level, so
// that ticker's own start-up lines stand out unless --log-level debug.
//
// Until the server is up, a fatal error, such as a client port in use, is
// not logged but kept for StartEmbedded, which fails at once with it.
type serverLog struct {
	l     *slog.Logger
	mu    sync.Mutex
	fatal chan error // capacity 1; nil once the server is up
}

func newServerLog(l *slog.Logger) *serverLog {
	return &serverLog{l: l.With("component", "nats-server"), fatal: make(chan error, 1)}
}

// up makes later fatal errors go to the log, and returns one that came
// before, if any.
func (s *serverLog) up() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.fatal
	s.fatal = nil
	select {
	case err := <-c:
		return err
	default:
		return nil
	}
}

func (s *serverLog) Fatalf(format string, v ...any) {
	err := newServerError(format, v)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fatal != nil {
		select {
		case s.fatal <- err:
		default: // the first one says enough
		}
		return
	}
	s.l.Error(err.Error())
}

func (s *serverLog) Noticef(format string, v ...any) { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s *serverLog) Warnf(format string, v ...any)   { s.l.Warn(fmt.Sprintf(format, v...)) }
func (s *serverLog) Errorf(format string, v ...any)  { s.l.Error(fmt.Sprintf(format, v...)) }
func (s *serverLog) Debugf(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s *serverLog) Tracef(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }

// serverError is a fatal error of the server: its message, wrapping the
// first error among its arguments so that errors.Is sees the cause.
type serverError struct {
	msg   string
	cause error
}

func newServerError(format string, v []any) error {
	e := &serverError{msg: fmt.Sprintf(format, v...)}
	for _, a := range v {
		if err, ok := a.(error); ok {
			e.cause = err
			break
		}
	}
	return e
}

func (e *serverError) Error() string { return e.msg }
func (e *serverError) Unwrap() error { return e.cause }
