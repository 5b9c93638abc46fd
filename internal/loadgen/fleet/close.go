package fleet

import (
	"context"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Closing: at most closeConcurrency handshakes in flight; after closeBudget
// the rest are cut without one, so that an unresponsive server cannot hold
// the run for long.
const (
	closeConcurrency = 256
	closeBudget      = 10 * time.Second
)

// DrainStalled reads what the stalled connections were sent, for up to wait,
// to learn how each ended, and counts them by end: the server's close code,
// 1006 without one, or "open" when the server still holds it.
func (f *Fleet) DrainStalled(wait time.Duration) map[string]uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var mu sync.Mutex
	ends := map[string]uint64{}
	var wg sync.WaitGroup
	for _, c := range f.conns {
		if !c.idle.Load() {
			continue
		}
		ws := c.wsp.Load()
		wg.Add(1)
		go func() {
			defer wg.Done()
			end := "open"
			for {
				_, r, err := ws.Reader(ctx)
				if err != nil {
					if ctx.Err() == nil {
						end = strconv.Itoa(closeCodeOf(err))
					}
					break
				}
				if _, err := io.Copy(io.Discard, r); err != nil && ctx.Err() == nil {
					end = strconv.Itoa(closeCodeOf(err))
					break
				}
			}
			mu.Lock()
			ends[end]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return ends
}

// Close ends every connection with a normal closure, and waits for their
// goroutines. It may be called more than once.
func (f *Fleet) Close() {
	f.closing.Store(true)
	f.closeOnce.Do(func() { close(f.closed) })
	deadline := time.Now().Add(closeBudget)
	slots := make(chan struct{}, closeConcurrency)
	var wg sync.WaitGroup
	for _, c := range f.conns {
		ws := c.wsp.Load()
		if ws == nil {
			continue
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if time.Now().Before(deadline) {
				_ = ws.Close(websocket.StatusNormalClosure, "")
			} else {
				_ = ws.CloseNow()
			}
			<-slots
		}()
	}
	wg.Wait()
	f.wg.Wait()
	if f.readyDone != nil {
		<-f.readyDone
	}
	for _, tr := range f.transports {
		tr.CloseIdleConnections()
	}
}
