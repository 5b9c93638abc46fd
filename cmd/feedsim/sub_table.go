package main

import (
	"os"
	"sync"
	"time"

	"github.com/ticker-dev/ticker/client"
)

// redrawEvery is how often the table is drawn (the ages move even when
// nothing arrives).
const redrawEvery = 250 * time.Millisecond

// table is the terminal view: the board, redrawn in place four times a
// second until closed, when the terminal is restored.
type table struct {
	mu     sync.Mutex
	b      *board
	scr    *screen
	stop   chan struct{}
	done   chan struct{}
	closed sync.Once
}

func openTable(f *os.File, k client.Codec) *table {
	t := &table{b: newBoard(k), scr: openScreen(f), stop: make(chan struct{}), done: make(chan struct{})}
	go t.loop()
	return t
}

func (t *table) update(u client.Update) error {
	t.mu.Lock()
	t.b.update(u)
	t.mu.Unlock()
	return nil
}

func (t *table) event(e client.Event) {
	t.mu.Lock()
	t.b.event(e)
	t.mu.Unlock()
}

func (t *table) loop() {
	defer close(t.done)
	tick := time.NewTicker(redrawEvery)
	defer tick.Stop()
	for {
		t.draw()
		select {
		case <-tick.C:
		case <-t.stop:
			return
		}
	}
}

func (t *table) draw() {
	w, h := t.scr.size()
	t.mu.Lock()
	lines := t.b.render(time.Now(), w, h)
	t.mu.Unlock()
	t.scr.draw(lines)
}

// close stops the redraws and restores the terminal.
func (t *table) close() {
	t.closed.Do(func() {
		close(t.stop)
		<-t.done
		t.scr.restore()
	})
}
