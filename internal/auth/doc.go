// Package auth verifies the JSON Web Token a client connects with and turns
// the subject patterns it lists into what the connection may subscribe to.
package auth
