package web_test

import (
	"net/http"

	"github.com/ticker-dev/ticker/web"
)

// The dashboard is mounted at the root, next to the WebSocket endpoint it uses.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.Handle("GET /", web.Handler())
	// mux.Handle("GET /ws", ...) is the gateway's.
	_ = http.ListenAndServe(":8080", mux)
}
