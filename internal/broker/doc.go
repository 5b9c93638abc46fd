// Package broker connects ticker to NATS: it runs the embedded server of the
// default mode and keeps one NATS subscription per pattern the hub watches.
package broker
