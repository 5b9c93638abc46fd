// Package web holds the browser dashboard, embedded into the binary.
//
// The dashboard is static files with no third-party code, so it works
// offline: index.html, style.css and ES modules, one concern each. app.js
// wires them together. ticker.js is the connection: a ticker.v1 client with
// a documented API, usable on its own (WebSocket with JSON or msgpack, and a
// fallback to Server-Sent Events), split the way centrifuge-js splits its
// client: client.js (the state machine), transport-ws.js and transport-sse.js
// (the two transports), fallback.js (which one to use), subscriptions.js
// (acks, resubscribing, delivery, seq gaps), backoff.js (reconnect delays),
// codec.js and msgpack.js (the encodings), subject.js (pattern rules and
// matching), delta.js (subscription options, merging field deltas), token.js
// (token refresh), url.js, timers.js and errors.js. watchlist.js and
// watchlist-view.js are the watchlist kept in localStorage; quotes.js (with
// change.js: change from the reference price, and the tick), sparkline.js,
// scores.js and dom.js draw the boards; stats.js counts
// messages and latency; status.js shows the connection state.
//
// The JavaScript unit tests live in test/ (node --test test/) and run as
// part of go test when node is installed; see js_test.go.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed index.html style.css app.js
//go:embed ticker.js client.js transport-ws.js transport-sse.js fallback.js subscriptions.js
//go:embed backoff.js codec.js msgpack.js subject.js url.js timers.js errors.js delta.js token.js
//go:embed watchlist.js watchlist-view.js quotes.js change.js sparkline.js scores.js dom.js stats.js status.js
var files embed.FS

// etags maps a request path ("/" for index.html) to a strong ETag of the file's
// contents. Embedded files carry no modification time, so without an ETag every
// revalidation would download the file again.
var etags = func() map[string]string {
	m := make(map[string]string)
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic("web: reading embedded files: " + err.Error()) // the embed directive guarantees them
	}
	for _, e := range entries {
		b, err := fs.ReadFile(files, e.Name())
		if err != nil {
			panic("web: reading embedded " + e.Name() + ": " + err.Error())
		}
		sum := sha256.Sum256(b)
		tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
		m["/"+e.Name()] = tag
	}
	m["/"] = m["/index.html"]
	return m
}()

// contentSecurityPolicy allows only the dashboard's own files, a WebSocket to
// any host (connect-src ws: wss:) and an SSE stream from its own origin; the
// page has no inline script or style.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; " +
	"form-action 'none'; frame-ancestors 'none'"

// Handler serves the dashboard files (index.html at "/"). It expects to be
// mounted at the root of the server's path space; wrap it in
// [http.StripPrefix] to mount it elsewhere. Responses are marked no-cache and
// carry an ETag, so browsers revalidate cheaply and always run the files of
// the binary they talk to.
func Handler() http.Handler {
	fileServer := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if r.URL.Path == "/" || strings.HasSuffix(r.URL.Path, ".html") {
			h.Set("Content-Security-Policy", contentSecurityPolicy)
		}
		if tag, ok := etags[r.URL.Path]; ok {
			h.Set("ETag", tag) // http.ServeContent answers If-None-Match with 304
		}
		fileServer.ServeHTTP(w, r)
	})
}
