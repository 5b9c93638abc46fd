// Package wire reads the server messages of ticker.v1 frames for the load
// generator without allocating, mapping each subject to its index among the
// load's numbered subjects (SubjectName).
package wire
