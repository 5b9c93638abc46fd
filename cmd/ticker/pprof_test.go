package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
)

func TestThePprofListenerServesProfilesUntilStopped(t *testing.T) {
	addr, stop, err := servePprof("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(body) == 0 {
		t.Fatalf("GET /debug/pprof/: %d, %d bytes", res.StatusCode, len(body))
	}
	stop()
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Fatal("still served after stop")
	}
}

func TestProfilesAreServedOnlyOnThePprofAddress(t *testing.T) {
	listen, pprofAddr := freeAddr(t), freeAddr(t)
	p := start(t, "--listen", listen, "--nats-listen", "127.0.0.1:0", "--no-feed", "--drain-window", "100ms",
		"--pprof-listen", pprofAddr)
	p.waitFor(t, "pprof listening", "gateway listening")
	tests := []struct {
		name string
		url  string
		want int
	}{
		{"the pprof address", "http://" + pprofAddr + "/debug/pprof/cmdline", http.StatusOK},
		{"the gateway's address", "http://" + listen + "/debug/pprof/cmdline", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("GET %s: %d, want %d", tt.url, resp.StatusCode, tt.want)
			}
		})
	}
	p.stop(t)
}
