package main

import (
	"net/http"
	"testing"
)

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
