// Package feed is ticker's built-in simulated feed: random-walk stock quotes and
// live games, published as msgpack payloads at a steady total rate.
package feed
