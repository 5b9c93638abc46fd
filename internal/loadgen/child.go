package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/loadgen/fleet"
	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

// childMsg is one line of JSON between a run and one of its child processes
// (Config.Procs): the parent sends the config, then the commands start,
// level and close; the child answers ready, leveled and report, and sends
// its progress every second.
type childMsg struct {
	Config *Config `json:"config,omitempty"` // the child's share: Conns, SrcIPs
	Offset int     `json:"offset,omitempty"` // index of the child's first connection in the load

	Cmd   string   `json:"cmd,omitempty"`
	Final []uint64 `json:"final,omitempty"` // with level: the last seqs published

	Event    string           `json:"event,omitempty"`
	Progress *report.Progress `json:"progress,omitempty"`
	Report   *report.Report   `json:"report,omitempty"`
	Error    string           `json:"error,omitempty"`
}

// Child commands and events.
const (
	cmdStart       = "start"
	cmdLevel       = "level"
	cmdClose       = "close"
	eventReady     = "ready"
	eventProgress  = "progress"
	eventLeveled   = "leveled"
	eventReport    = "report"
	childExtraTime = 10 * time.Second // a child outlives its parent's deadline by this, at most
)

// RunChild is the child side of a run over several processes: it reads the
// parent's config and commands from in and writes its events to out (one
// JSON object a line), holding the connections of its share. It returns
// when the parent says close, or goes away (in ends).
func RunChild(ctx context.Context, in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(in)
	var first childMsg
	if err := dec.Decode(&first); err != nil || first.Config == nil {
		return fmt.Errorf("read the child's config: %v", err)
	}
	cfg := first.Config.withDefaults()
	cfg.Logger = slog.Default()
	if err := checkFDs(cfg.Conns); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.deadline()+childExtraTime)
	defer cancel()

	var mu sync.Mutex
	enc := json.NewEncoder(out)
	send := func(m childMsg) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(m) // a parent that went away is noticed on in
	}
	cmds := make(chan childMsg)
	go func() {
		defer close(cmds)
		for {
			var m childMsg
			if err := dec.Decode(&m); err != nil {
				return
			}
			select {
			case cmds <- m:
			case <-ctx.Done():
				return
			}
		}
	}()

	f := fleet.New(cfg.fleetConfig(), first.Offset, cfg.Conns, nil)
	defer f.Close()
	stopProgress := sendProgress(f, send)
	defer stopProgress()
	f.Open(ctx)
	send(childMsg{Event: eventReady})

	var final []uint64 // the last seqs published, once known
	var cpu0, cpu1 time.Duration
	for {
		var m childMsg
		var ok bool
		select {
		case m, ok = <-cmds:
		case <-ctx.Done():
		}
		if !ok {
			return errors.New("the parent went away")
		}
		switch m.Cmd {
		case cmdStart:
			cpu0 = cpuTime()
		case cmdLevel:
			final = m.Final
			f.WaitLevel(ctx, m.Final, levelQuiet)
			cpu1 = cpuTime()
			send(childMsg{Event: eventLeveled})
		case cmdClose:
			stopProgress()
			ends := f.DrainStalled(stalledWait)
			f.Close()
			r := f.Report(final, ends)
			r.CPUSeconds = max(cpu1-cpu0, 0).Seconds()
			send(childMsg{Event: eventReport, Report: r})
			return nil
		}
	}
}

// sendProgress sends f's progress every second until the returned stop.
func sendProgress(f *fleet.Fleet, send func(childMsg)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p := f.Progress()
				send(childMsg{Event: eventProgress, Progress: &p})
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		wg.Wait()
	}
}
