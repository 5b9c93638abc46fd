// Package publish is the load's publisher: quote updates over the load's
// numbered subjects at a steady total rate, seq +1 per subject.
package publish
