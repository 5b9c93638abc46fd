package loadgen

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

// children are the connections of a run held by child processes.
type children struct {
	kids []*child
}

// child is one child process, as its parent sees it.
type child struct {
	i      int
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	enc    *json.Encoder
	events chan childMsg // ready, leveled, report; closed when the child's output ends
	mu     sync.Mutex
	last   report.Progress
	read   sync.WaitGroup
}

// startChildren starts cfg.Procs children, each with its share of the
// connections and of the source addresses.
func startChildren(ctx context.Context, cfg *Config) (*children, error) {
	cs := &children{}
	offset := 0
	for i := range cfg.Procs {
		share := *cfg
		share.Conns = cfg.Conns / cfg.Procs
		if i < cfg.Conns%cfg.Procs {
			share.Conns++
		}
		share.Procs, share.Progress, share.MetricsURLs = 1, nil, nil
		share.SrcIPs = ipShare(cfg.SrcIPs, i, cfg.Procs)
		k, err := startChild(i, cfg.Spawn(), childMsg{Config: &share, Offset: offset})
		if err != nil {
			_, _ = cs.close(ctx)
			return nil, err
		}
		cs.kids = append(cs.kids, k)
		offset += share.Conns
	}
	return cs, nil
}

// ipShare is child i's part of the source addresses: a distinct slice when
// there are enough of them, else one of them.
func ipShare(ips []net.IP, i, procs int) []net.IP {
	if len(ips) == 0 {
		return nil
	}
	if len(ips) < procs {
		return ips[i%len(ips) : i%len(ips)+1]
	}
	return ips[i*len(ips)/procs : (i+1)*len(ips)/procs]
}

func startChild(i int, cmd *exec.Cmd, first childMsg) (*child, error) {
	k := &child{i: i, cmd: cmd, events: make(chan childMsg, 4)}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	var err error
	if k.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("child %d: %w", i, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("child %d: %w", i, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start child %d: %w", i, err)
	}
	k.enc = json.NewEncoder(k.stdin)
	k.read.Add(1)
	go k.readEvents(stdout)
	if err := k.enc.Encode(first); err != nil {
		k.kill()
		return nil, fmt.Errorf("configure child %d: %w", i, err)
	}
	return k, nil
}

// readEvents reads the child's output until it ends.
func (k *child) readEvents(stdout io.Reader) {
	defer k.read.Done()
	defer close(k.events)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var m childMsg
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			continue
		}
		if m.Event == eventProgress && m.Progress != nil {
			k.mu.Lock()
			k.last = *m.Progress
			k.mu.Unlock()
			continue
		}
		k.events <- m
	}
}

// await waits for the child's event; its death or ctx end it early.
func (k *child) await(ctx context.Context, event string) (childMsg, error) {
	for {
		select {
		case m, ok := <-k.events:
			if !ok {
				return m, fmt.Errorf("child %d ended before %s", k.i, event)
			}
			if m.Event == event {
				return m, nil
			}
		case <-ctx.Done():
			return childMsg{}, fmt.Errorf("child %d: waiting for %s: %w", k.i, event, ctx.Err())
		}
	}
}

func (k *child) kill() {
	_ = k.cmd.Process.Kill()
	_ = k.stdin.Close()
	k.read.Wait()
	_ = k.cmd.Wait()
}

// all sends m to every child (unless nil) and waits for event from each
// (unless empty).
func (cs *children) all(ctx context.Context, m *childMsg, event string) ([]childMsg, error) {
	var errs []error
	for _, k := range cs.kids {
		if m != nil {
			errs = append(errs, k.enc.Encode(m))
		}
	}
	out := make([]childMsg, len(cs.kids))
	for i, k := range cs.kids {
		if event == "" {
			break
		}
		var err error
		out[i], err = k.await(ctx, event)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

func (cs *children) open(ctx context.Context) error {
	_, err := cs.all(ctx, nil, eventReady)
	return err
}

func (cs *children) start() error {
	_, err := cs.all(context.Background(), &childMsg{Cmd: cmdStart}, "")
	return err
}

func (cs *children) level(ctx context.Context, final []uint64) error {
	_, err := cs.all(ctx, &childMsg{Cmd: cmdLevel, Final: final}, eventLeveled)
	return err
}

func (cs *children) progress() report.Progress {
	var p report.Progress
	for _, k := range cs.kids {
		k.mu.Lock()
		q := k.last
		k.mu.Unlock()
		p.Add(q)
	}
	return p
}

// close asks every child for its report, merges them, and waits for the
// children to exit (killing those still there after a grace period).
func (cs *children) close(ctx context.Context) (*report.Report, error) {
	msgs, err := cs.all(ctx, &childMsg{Cmd: cmdClose}, eventReport)
	r := &report.Report{Disconnects: map[string]uint64{}, StalledEnd: map[string]uint64{}}
	for _, m := range msgs {
		if m.Report != nil {
			err = errors.Join(err, r.Merge(m.Report))
		}
	}
	for _, k := range cs.kids {
		_ = k.stdin.Close()
		timer := time.AfterFunc(5*time.Second, func() { _ = k.cmd.Process.Kill() })
		k.read.Wait()
		_ = k.cmd.Wait()
		timer.Stop()
	}
	if err != nil {
		return r, fmt.Errorf("child processes: %w", err)
	}
	return r, nil
}
