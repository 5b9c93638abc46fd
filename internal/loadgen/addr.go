package loadgen

import (
	"fmt"
	"net"
	"strings"
)

// maxSrcIPs bounds a --src-ips list; 65536 addresses allow billions of ports.
const maxSrcIPs = 1 << 16

// ParseSrcIPs reads a list of loopback source addresses: comma-separated
// items, each an address (127.0.0.2, ::1) or an IPv4 range (127.0.0.2-127.0.0.9,
// both ends included). Any address outside loopback is refused: the load
// generator only ever loads the local machine.
func ParseSrcIPs(s string) ([]net.IP, error) {
	var ips []net.IP
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		from, to, isRange := strings.Cut(item, "-")
		first, err := loopbackIP(from)
		if err != nil {
			return nil, err
		}
		if !isRange {
			ips = append(ips, first)
			continue
		}
		last, err := loopbackIP(to)
		if err != nil {
			return nil, err
		}
		a, b := first.To4(), last.To4()
		if a == nil || b == nil {
			return nil, fmt.Errorf("source address range %q: ranges are IPv4 only", item)
		}
		lo, hi := ipv4Num(a), ipv4Num(b)
		if lo > hi {
			return nil, fmt.Errorf("source address range %q runs backwards", item)
		}
		if hi-lo >= maxSrcIPs || len(ips)+int(hi-lo) >= maxSrcIPs {
			return nil, fmt.Errorf("source addresses %q: more than %d", item, maxSrcIPs)
		}
		for n := lo; n <= hi; n++ {
			ips = append(ips, net.IPv4(byte(n>>24), byte(n>>16), byte(n>>8), byte(n)).To4())
		}
	}
	if len(ips) > maxSrcIPs {
		return nil, fmt.Errorf("more than %d source addresses", maxSrcIPs)
	}
	return ips, nil
}

func ipv4Num(ip net.IP) uint32 {
	return uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
}

// loopbackIP parses s as an address in 127.0.0.0/8 or ::1.
func loopbackIP(s string) (net.IP, error) {
	ip := net.ParseIP(strings.TrimSpace(s))
	if ip == nil {
		return nil, fmt.Errorf("source address %q is not an IP address", s)
	}
	if !ip.IsLoopback() {
		return nil, fmt.Errorf("source address %s is not loopback (127.0.0.0/8 or ::1): feedsim load only loads this machine", ip)
	}
	if v4 := ip.To4(); v4 != nil {
		return v4, nil
	}
	return ip, nil
}
