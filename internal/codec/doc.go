// Package codec is ticker's data model (Quote, Score, feed updates, protocol
// envelopes) and its JSON and msgpack encodings.
//
// Feed payloads arrive on NATS as msgpack maps. The gateway reads each one once
// with a bounded [Reader], transcodes it to JSON once ([Transcode]), and builds
// each envelope at most once per codec, so every subscriber shares the same bytes.
package codec
