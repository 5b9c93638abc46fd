// Package fanout is ticker's broadcast core: it matches each feed update
// against the subscribers' patterns and queues the update's shared, encoded
// bytes on every matching connection, from which a few writers send them.
//
// It is built in three layers, each unaware of the ones above it:
//
//   - the Hub (hub.go, interest.go, last.go, index.go, cache.go): the
//     interest in each pattern, the last value of each subject, and the
//     index and cache that match a subject to the patterns held;
//   - an outbox per connection (outbox.go): bounded, conflating, batching;
//     it reports what a push did and knows nothing of who fills or drains it;
//   - the writer pool (writer.go): writer goroutines that drain ready
//     drainers one frame at a time, with a monitor for writers stuck on a
//     stalled peer and the flush window.
//
// A Subscriber (subscriber.go, frame.go) is one connection's place in the
// hub: it holds its patterns and its outbox, and is the drainer the writers
// drain. slow.go closes connections whose outbox stays over its bound.
//
// A message's way through the package:
//
//	Hub.Deliver          validate the subject, transcode once (newMessage), hand an op to the hub goroutine
//	Hub.run, broadcast   keep it as the subject's last value (keep), match it (matcher)
//	Subscriber.deliver   for each matching subscriber still holding a pattern of it
//	outbox.push          queue the shared frame; conflate at the bound; an idle outbox asks for a writer
//	writers.schedule     the subscriber joins the ready list; a writer goroutine takes it in turn
//	Subscriber.writeOne  outbox.take a batch, join it into one frame, Transport.Write, outbox.done
//
// Snapshots: the hub keeps the last value of every subject it follows. When
// it starts watching a pattern nobody on this pod held, a bus that keeps last
// values itself (LastValues: the JetStream snapshot stream) replays that
// pattern's through Deliver before the sub takes its snapshot, so a pod serves
// snapshots of subjects it has never seen; Resync does the same for every
// pattern after the bus reconnects. Replayed updates not newer than what the
// hub has are dropped as stale, like any late copy.
//
// Per delivery nothing is allocated or encoded: a message and its buffers come
// from a pool and go back when the last outbox has written it, a match result
// is read from the cache with two atomic loads, outbox arrays are pooled, and
// handing an outbox to a writer takes no goroutine. Time (the slow timeout,
// the stuck-writer monitor, the flush window) comes from Options.Clock.
//
// Lock order: slowWatch.mu, then Subscriber.mu (which also guards the
// subscriber's outbox: a delivery takes one lock), then Hub.lastMu, then
// index.mu or subjectLists.mu (the snapshot lists). Hub.interestMu (then the Bus's own lock) and writers.mu are
// taken with no other lock of the package held. No lock is held while a frame is written
// to a socket or a Transport is closed.
package fanout
