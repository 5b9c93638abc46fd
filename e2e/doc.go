// Package e2e runs the built ticker and feedsim binaries as a user would and
// checks what their clients see; it holds only tests.
package e2e
