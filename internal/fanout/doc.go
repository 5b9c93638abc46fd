// Package fanout is ticker's broadcast core: it matches each feed update
// against the subscribers' patterns and queues the update's shared, encoded
// bytes on every matching connection.
//
// A message's way through the package:
//
//	Hub.Deliver     validate the subject, transcode once (codec.Transcode)
//	Hub.run         keep it as the subject's last value, match it (index)
//	Subscriber.push queue the shared frame bytes, bounded in bytes
//	Subscriber.write join what is pending into one frame, Transport.Write
//
// Lock order: Subscriber.mu, then Hub.interestMu (then the Bus's own lock),
// or Subscriber.mu, then Hub.lastMu, then index.mu. interestMu and lastMu are
// never held together. The hub goroutine never holds lastMu while it takes a
// Subscriber.mu, and no lock is held while a frame is written to a socket.
package fanout
