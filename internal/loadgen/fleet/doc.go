// Package fleet is the subscriber connections of one load process: it dials
// and subscribes them over a ramp, reads and accounts every frame without
// allocating, follows a draining or refusing server to another URL with a jittered
// backoff, and reports what each connection received and how it moved.
package fleet
