package loadgen

import (
	"slices"
	"strings"
	"testing"
)

func TestParseSrcIPs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"127.0.0.2", []string{"127.0.0.2"}},
		{"127.0.0.2-127.0.0.4", []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}},
		{" 127.0.0.9 , ::1,127.0.0.254-127.0.1.1", []string{"127.0.0.9", "::1", "127.0.0.254", "127.0.0.255", "127.0.1.0", "127.0.1.1"}},
	}
	for _, tt := range tests {
		ips, err := ParseSrcIPs(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		var got []string
		for _, ip := range ips {
			got = append(got, ip.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
		}
	}
	if ips, err := ParseSrcIPs("127.0.0.0-127.0.255.255"); err != nil || len(ips) != 1<<16 {
		t.Errorf("a /16: %d addresses, %v", len(ips), err)
	}
	for in, want := range map[string]string{
		"10.0.0.1":                "not loopback",
		"127.0.0.2-10.0.0.1":      "not loopback",
		"192.168.1.1-192.168.1.9": "not loopback",
		"::2":                     "not loopback",
		"127.0.0.9-127.0.0.2":     "backwards",
		"::1-::1":                 "IPv4 only",
		"localhost":               "not an IP",
		"127.0.0.0-127.1.0.0":     "more than",
	} {
		if _, err := ParseSrcIPs(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", in, err, want)
		}
	}
}
