// Package report is what a load run measured and how it is shown: the report
// that child processes send and the parent merges, the servers' costs read
// from their /metrics, the progress line and the tables for people.
package report
