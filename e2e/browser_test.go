package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts Debian's headless Chromium for one test and returns a
// context whose actions run in a fresh tab. A machine without chromium skips
// (CI installs it and fails on skips).
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian package chromium); the browser tests need it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// This machine's network is closed: no background connections.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // start the browser now
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// waitJS polls a JavaScript expression in the page until it is true.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 2000)`))
			t.Fatalf("gave up waiting for %s (%s); the page says:\n%s", what, expr, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenshot saves the page as a PNG test artifact (quality 100 means PNG): under $TICKER_ARTIFACTS
// when set, else in the test's temporary directory (logged).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("TICKER_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// open navigates the browser to the gateway's page.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
}

// dashboard starts a default ticker (embedded NATS, built-in feed) and opens
// its page at path in a fresh browser, and returns the browser and address.
func dashboard(t *testing.T, path string) (context.Context, string) {
	t.Helper()
	ctx := browser(t)
	addr := freeAddr(t)
	start(t, "ticker", nil, "--listen", addr, "--nats-listen", "127.0.0.1:0")
	waitReady(t, addr)
	open(t, ctx, "http://"+addr+path)
	return ctx, addr
}

// pageText returns a JavaScript expression's string value.
func pageText(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}

const (
	jsOpen     = `document.querySelector('#conn').dataset.state === 'open'`
	jsRows     = `[...document.querySelectorAll('#quote-rows tr[data-symbol]')].filter(r => r.offsetParent !== null).length`
	jsAAPLLast = `((document.querySelector('#quote-rows tr[data-symbol="AAPL"] td.last') || {}).textContent || '')`
)

// waitPricesMove waits until AAPL's last price on the page changes: live
// updates, not just snapshots.
func waitPricesMove(t *testing.T, ctx context.Context) {
	t.Helper()
	waitJS(t, ctx, "an AAPL row", jsAAPLLast+` !== ''`)
	before := pageText(t, ctx, jsAAPLLast)
	waitJS(t, ctx, "AAPL's price to move", jsAAPLLast+` !== `+strconv.Quote(before))
}

func TestTheDashboardFillsWithLivePricesAndShowsItsConnection(t *testing.T) {
	ctx, _ := dashboard(t, "/")
	waitJS(t, ctx, "the connection to open", jsOpen)
	waitJS(t, ctx, "the quotes table to fill", jsRows+` >= 50`)
	waitJS(t, ctx, "the scores board to fill", `document.querySelectorAll('#leagues li.game').length >= 6`)
	waitPricesMove(t, ctx)
	waitJS(t, ctx, "messages per second", `parseFloat(document.querySelector('#stat-rate').textContent) > 0`)
	waitJS(t, ctx, "a latency", `/ms/.test(document.querySelector('#stat-latency').textContent)`)
	waitJS(t, ctx, "sparklines", `document.querySelectorAll('#quote-rows svg.spark polyline').length > 0`)
	if got := pageText(t, ctx, `document.querySelector('#conn').dataset.transport`); got != "websocket" {
		t.Fatalf("transport %q, want websocket", got)
	}
	screenshot(t, ctx, "dashboard.png")
}

func TestTheWatchlistSubscribesAndUnsubscribesAsTheUserEditsIt(t *testing.T) {
	ctx, addr := dashboard(t, "/")
	waitJS(t, ctx, "the connection to open", jsOpen)

	// Watchlist only: the default watchlist (AAPL, MSFT, NVDA), then TSLA
	// added with the keyboard.
	if err := chromedp.Do(ctx, chromedp.Click(`#mode-watch`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the default watchlist's rows", jsRows+` === 3`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(`#watch-input`, "tsla\r")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "TSLA's row with a price", `!!document.querySelector('#quote-rows tr[data-symbol="TSLA"] td.last')?.textContent`)
	waitJS(t, ctx, "four watched rows", jsRows+` === 4`)
	// Remove two: their rows go.
	for _, sym := range []string{"AAPL", "MSFT"} {
		if err := chromedp.Do(ctx, chromedp.Click(`#watchlist button[data-remove="`+sym+`"]`)); err != nil {
			t.Fatal(err)
		}
	}
	waitJS(t, ctx, "AAPL's and MSFT's rows to vanish", jsRows+` === 2`)
	// The gateway really unsubscribed: the page holds quotes.NVDA,
	// quotes.TSLA and the scores pattern, nothing else.
	waitMetric(t, addr, "ticker_subscriptions", 3)
	screenshot(t, ctx, "watchlist.png")
}

func TestThePageReconnectsAndResumesWhenTheGatewayRestarts(t *testing.T) {
	ctx := browser(t)
	addr, natsAddr := freeAddr(t), freeAddr(t)
	args := []string{"--listen", addr, "--nats-listen", natsAddr, "--drain-window", "100ms"}
	first := start(t, "ticker", nil, args...)
	waitReady(t, addr)
	open(t, ctx, "http://"+addr+"/")
	waitJS(t, ctx, "the connection to open", jsOpen)
	waitPricesMove(t, ctx)

	first.signal(t, syscall.SIGTERM)
	if code := first.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("ticker exited %d", code)
	}
	waitJS(t, ctx, "the page to notice", `document.querySelector('#conn').dataset.state !== 'open'`)
	start(t, "ticker", nil, args...)
	waitReady(t, addr)
	waitJS(t, ctx, "the page to reconnect", jsOpen)
	waitPricesMove(t, ctx)
}

func TestForcedSSEDeliversTheSameData(t *testing.T) {
	ctx, addr := dashboard(t, "/?transport=sse")
	waitJS(t, ctx, "the SSE stream to open", jsOpen+` && document.querySelector('#conn').dataset.transport === 'sse'`)
	waitJS(t, ctx, "the quotes table to fill", jsRows+` >= 50`)
	waitPricesMove(t, ctx)
	if n := status(addr, "/metrics"); n != 200 {
		t.Fatalf("/metrics answered %d", n)
	}
	screenshot(t, ctx, "dashboard-sse.png")
}

// waitMetric waits until a gateway metric without labels has value want.
func waitMetric(t *testing.T, addr, name string, want float64) {
	t.Helper()
	line := fmt.Sprintf("%s %g", name, want)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if slices.Contains(strings.Split(string(b), "\n"), line) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never became %g", name, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
