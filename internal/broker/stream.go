package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream describes the JetStream stream that keeps the last update of every
// feed subject, so that any gateway pod can replay a snapshot of a subject
// it has never seen. The feeds publish on plain NATS subjects; the stream
// captures them. The zero value is usable: a stream named DefaultStream over
// quotes.> and scores.> with one replica.
type Stream struct {
	// Name of the stream; empty means DefaultStream.
	Name string
	// Subjects the stream captures; empty means quotes.> and scores.>.
	Subjects []string
	// Replicas of the stream in a NATS cluster; 0 means 1. A cluster of
	// three runs 3 so that losing a node loses no snapshot.
	Replicas int
}

// DefaultStream is the name of the last-value stream when none is given.
const DefaultStream = "TICKER_LAST"

// noStream, as a stream name (--snapshot-stream none), means no stream.
const noStream = "none"

// StreamNamed describes the stream called name, or returns nil when name is
// empty or "none".
func StreamNamed(name string, subjects []string, replicas int) *Stream {
	if name == "" || name == noStream {
		return nil
	}
	return &Stream{Name: name, Subjects: subjects, Replicas: replicas}
}

// DefaultStreamSubjects returns the subjects the last-value stream captures
// when none are given: the feeds' quote and score subjects. The slice is the
// caller's.
func DefaultStreamSubjects() []string { return []string{"quotes.>", "scores.>"} }

func (s Stream) withDefaults() Stream {
	if s.Name == "" {
		s.Name = DefaultStream
	}
	if len(s.Subjects) == 0 {
		s.Subjects = DefaultStreamSubjects()
	}
	if s.Replicas <= 0 {
		s.Replicas = 1
	}
	return s
}

// config is the stream's JetStream configuration: one message kept per
// subject, read with direct gets from any replica.
func (s Stream) config() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              s.Name,
		Description:       "ticker: the last update of every feed subject, for snapshots on every gateway pod",
		Subjects:          s.Subjects,
		Retention:         jetstream.LimitsPolicy,
		MaxMsgsPerSubject: 1,
		Discard:           jetstream.DiscardOld,
		Storage:           jetstream.FileStorage,
		Replicas:          s.Replicas,
		AllowDirect:       true,
	}
}

// EnsureStream creates the last-value stream on the NATS server nc is
// connected to, or checks the one that exists. Creating an identical stream
// again is harmless, so every gateway and feed may call it. The error says
// what to do when JetStream is off or the stream cannot be used.
func EnsureStream(ctx context.Context, nc *nats.Conn, s Stream) error {
	s = s.withDefaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("snapshot stream %s: %w", s.Name, err)
	}
	st, err := js.Stream(ctx, s.Name)
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound):
		if _, err = js.CreateStream(ctx, s.config()); err != nil {
			return fmt.Errorf("snapshot stream %s: create: %w (create it yourself with: nats stream add %s --subjects %q --max-msgs-per-subject 1 --allow-direct --replicas %d, or give these credentials the right to)",
				s.Name, err, s.Name, s.Subjects, s.Replicas)
		}
		return nil
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount),
		errors.Is(err, nats.ErrNoResponders): // no JetStream answers the API
		return fmt.Errorf("snapshot stream %s: %w: enable JetStream on the NATS servers (nats-server -js), or set --snapshot-stream=none to serve snapshots only of updates this gateway has seen", s.Name, err)
	case err != nil:
		return fmt.Errorf("snapshot stream %s: %w", s.Name, err)
	}
	cfg := st.CachedInfo().Config
	if !cfg.AllowDirect {
		return fmt.Errorf("snapshot stream %s exists without allow_direct, which snapshots read with: nats stream edit %s --allow-direct", s.Name, s.Name)
	}
	for _, want := range s.Subjects {
		if !slices.Contains(cfg.Subjects, want) {
			return fmt.Errorf("snapshot stream %s captures %q, not %q: add it with nats stream edit %s --subjects, or set --snapshot-subjects", s.Name, cfg.Subjects, want, s.Name)
		}
	}
	return nil
}
