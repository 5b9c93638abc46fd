// Package fleet is the subscriber connections of one load process: it dials
// and subscribes them over a ramp, reads and accounts every frame without
// allocating, follows a draining server to the next URL, and reports what
// each connection received.
package fleet
