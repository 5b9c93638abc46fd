package broker

import (
	"fmt"
	"log/slog"
)

// serverLog sends the embedded server's logs to slog. Its notices (the
// banner, the JetStream art, the start and stop steps) go at debug level, so
// that ticker's own start-up lines stand out unless --log-level debug.
type serverLog struct{ l *slog.Logger }

func newServerLog(l *slog.Logger) serverLog {
	return serverLog{l.With("component", "nats-server")}
}

func (s serverLog) Noticef(format string, v ...any) { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s serverLog) Warnf(format string, v ...any)   { s.l.Warn(fmt.Sprintf(format, v...)) }
func (s serverLog) Fatalf(format string, v ...any)  { s.l.Error(fmt.Sprintf(format, v...)) }
func (s serverLog) Errorf(format string, v ...any)  { s.l.Error(fmt.Sprintf(format, v...)) }
func (s serverLog) Debugf(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s serverLog) Tracef(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }
