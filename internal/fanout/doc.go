// Package fanout is ticker's broadcast core: it matches each feed update
// against the subscribers' patterns and queues the update's shared, encoded
// bytes on every matching connection.
//
// A message's way through the package:
//
//	Hub.Deliver          validate the subject, transcode once (newMessage)
//	Hub.run, broadcast   keep it as the subject's last value (keep), match it (matcher)
//	queue.push           queue the shared frame on each subscriber; conflate at the bound
//	writers              a few writer goroutines take ready queues in turn
//	Subscriber.writeOne  join what is pending into one frame, Transport.Write
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
// from a pool and go back when the last queue has written it, a match result
// is read from the cache with one atomic load, queue arrays are pooled, and
// handing a queue to a writer takes no goroutine.
//
// Lock order: Subscriber.mu, then Hub.interestMu (then the Bus's own lock);
// or Subscriber.mu, then Hub.lastMu, then index.mu; or Subscriber.mu, then
// writers.mu or slowWatch.mu. interestMu and lastMu are never held together.
// The hub goroutine never holds lastMu while it takes a Subscriber.mu, writers
// never hold writers.mu while they take one, and no lock is held while a frame
// is written to a socket.
package fanout
