package config

import (
	"fmt"
	"net/netip"
	"net/url"
)

// Log formats, the values of [server] log_format.
const (
	LogText = "text"
	LogJSON = "json"
)

// BasePath is the path of base_url, like "/" or "/blog/": the site is
// served under it.
func (s *Site) BasePath() string {
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// Proxies returns TrustedProxies as networks, a single address as a
// network of one. Entries Validate rejects are left out.
func (s *Server) Proxies() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range s.TrustedProxies {
		if prefix, ok := parseProxy(p); ok {
			out = append(out, prefix)
		}
	}
	return out
}

// parseProxy parses an entry of trusted_proxies.
func parseProxy(s string) (netip.Prefix, bool) {
	if addr, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()).Masked(), true
}

// validateProxying records the problems of trusted_proxies and log_format.
func (s *Server) validateProxying(ps *problems) {
	for _, p := range s.TrustedProxies {
		if _, ok := parseProxy(p); !ok {
			ps.check("server.trusted_proxies", fmt.Sprintf(`%q is not an IP address or network, like "127.0.0.1" or "10.0.0.0/8"`, p))
		}
	}
	if s.LogFormat != LogText && s.LogFormat != LogJSON {
		ps.check("server.log_format", fmt.Sprintf(`unknown format %q; use "text" or "json"`, s.LogFormat))
	}
}
