package broker

import "context"

// deliverAll hands every update received to deliver until Close, beginning
// with those that waited for Start.
func (b *Bus) deliverAll(deliver func(subject string, payload []byte)) {
	defer b.wg.Done()
	for {
		select {
		case m := <-b.msgs:
			deliver(m.Subject, m.Data)
		case <-b.done:
			return
		}
	}
}

// cameBack asks catchUp to run. Before Start the token waits for it.
func (b *Bus) cameBack() {
	select {
	case b.back <- struct{}{}:
	default: // one catch-up pending is enough: it covers every change so far
	}
}

// catchUp runs each time the connection is made late or comes back (or
// did, before Start), until Close: it creates or checks the snapshot stream
// (a server that lost its storage lost the stream too) and calls resync.
func (b *Bus) catchUp(resync func(ctx context.Context)) {
	defer b.wg.Done()
	for {
		select {
		case <-b.back:
			b.ensureStream()
			if resync != nil {
				resync(b.ctx)
			}
		case <-b.done:
			return
		}
	}
}

// ensureStream creates or checks the snapshot stream, logging why it cannot.
func (b *Bus) ensureStream() {
	if err := b.EnsureStream(b.ctx); err != nil && b.ctx.Err() == nil {
		b.log.Error("snapshot stream unusable; snapshots come only from updates this gateway has seen", "err", err)
	}
}
