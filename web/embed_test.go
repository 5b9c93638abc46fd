package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, srv *httptest.Server, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", path, err)
	}
	return resp, string(body)
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()

	tests := []struct {
		path        string
		status      int
		contentType string // substring of Content-Type
		body        string // substring of the body
	}{
		{"/", http.StatusOK, "text/html", "<title>ticker</title>"},
		{"/app.js", http.StatusOK, "javascript", "from './ticker.js'"},
		{"/ticker.js", http.StatusOK, "javascript", "export function connect"},
		{"/client.js", http.StatusOK, "javascript", "export function createClient"},
		{"/transport-ws.js", http.StatusOK, "javascript", "export function openWebSocket"},
		{"/transport-sse.js", http.StatusOK, "javascript", "export function openSse"},
		{"/fallback.js", http.StatusOK, "javascript", "export class TransportChoice"},
		{"/subscriptions.js", http.StatusOK, "javascript", "export class Subscriptions"},
		{"/codec.js", http.StatusOK, "javascript", "ticker.v1.json"},
		{"/backoff.js", http.StatusOK, "javascript", "export function retryDelay"},
		{"/url.js", http.StatusOK, "javascript", "export function sseUrlFor"},
		{"/timers.js", http.StatusOK, "javascript", "export class Timers"},
		{"/errors.js", http.StatusOK, "javascript", "export function clientError"},
		{"/quotes.js", http.StatusOK, "javascript", "export class QuotesTable"},
		{"/change.js", http.StatusOK, "javascript", "export function quoteView"},
		{"/scores.js", http.StatusOK, "javascript", "export class ScoresBoard"},
		{"/watchlist.js", http.StatusOK, "javascript", "localStorage"},
		{"/sparkline.js", http.StatusOK, "javascript", "polyline"},
		{"/msgpack.js", http.StatusOK, "javascript", "export function decodeAll"},
		{"/stats.js", http.StatusOK, "javascript", "export function createStats"},
		{"/status.js", http.StatusOK, "javascript", "export function createStatusView"},
		{"/style.css", http.StatusOK, "text/css", "prefers-reduced-motion"},
		{"/nope", http.StatusNotFound, "", ""},
		{"/embed.go", http.StatusNotFound, "", ""},
		{"/package.json", http.StatusNotFound, "", ""},
		{"/test/fakes.js", http.StatusNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run("GET "+tt.path, func(t *testing.T) {
			resp, body := get(t, srv, tt.path, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, tt.contentType) {
				t.Errorf("Content-Type = %q, want it to contain %q", ct, tt.contentType)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", cc)
			}
			if !strings.Contains(body, tt.body) {
				t.Errorf("body does not contain %q", tt.body)
			}
		})
	}
}

func TestHandlerRevalidates(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()

	resp, _ := get(t, srv, "/app.js", nil)
	tag := resp.Header.Get("ETag")
	if tag == "" {
		t.Fatal("no ETag on /app.js")
	}
	resp, body := get(t, srv, "/app.js", http.Header{"If-None-Match": {tag}})
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("revalidation: status %d, %d body bytes; want 304 and none", resp.StatusCode, len(body))
	}
}

func TestHandlerRejectsWrites(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()

	resp, err := srv.Client().Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / status = %d, want 405", resp.StatusCode)
	}
}

// TestPageReferences checks that every local file the page links to is served
// with a content type the browser accepts, and so is every module those
// scripts import, so a rename cannot leave the dashboard half loaded.
func TestPageReferences(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()

	_, page := get(t, srv, "/", nil)
	refs := regexp.MustCompile(`(?:src|href)="([^"#:]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 2 {
		t.Fatalf("found %d local references in index.html, want at least app.js and style.css", len(refs))
	}
	// Follow the module graph from the page's scripts: a path is queued once.
	type ref struct{ path, from string }
	var queue []ref
	seen := make(map[string]bool)
	add := func(p, from string) {
		if !seen[p] {
			seen[p] = true
			queue = append(queue, ref{p, from})
		}
	}
	for _, m := range refs {
		add(path.Clean("/"+m[1]), "index.html")
	}
	var modules int
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		resp, body := get(t, srv, r.path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s references %q: status %d", r.from, r.path, resp.StatusCode)
			continue
		}
		ct := resp.Header.Get("Content-Type")
		switch path.Ext(r.path) {
		case ".js":
			// Browsers refuse to run a module served with any other type.
			if !strings.Contains(ct, "javascript") {
				t.Errorf("%s references %q: Content-Type %q, want JavaScript", r.from, r.path, ct)
			}
			for _, spec := range moduleSpecifiers(body) {
				if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") && !strings.HasPrefix(spec, "/") {
					t.Errorf("%s imports %q: not a relative or absolute path, which a browser cannot load without an import map", r.path, spec)
					continue
				}
				add(path.Join(path.Dir(r.path), spec), r.path)
				modules++
			}
		case ".css":
			if !strings.Contains(ct, "text/css") {
				t.Errorf("%s references %q: Content-Type %q, want text/css", r.from, r.path, ct)
			}
		}
	}
	if modules == 0 {
		t.Error("found no imports in the page's scripts, want app.js to import its modules")
	}
}

// moduleSpecifiers returns the module specifiers a JavaScript module imports
// or re-exports: import ... from 'x', import 'x', export ... from 'x' and
// import('x') with a string literal.
func moduleSpecifiers(src string) []string {
	var specs []string
	for _, m := range importRE.FindAllStringSubmatch(src, -1) {
		specs = append(specs, m[1])
	}
	return specs
}

var importRE = regexp.MustCompile(`\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]`)
