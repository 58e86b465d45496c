package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Behind a reverse proxy, the peer of every request is the proxy. From
// the proxies listed in Options.TrustedProxies, and from them only,
// X-Forwarded-For and X-Forwarded-Proto say who the client was and
// whether it used https; anyone else could send those fields to hide or
// forge an address. What they say goes into the access log and the
// metrics, never into a response: every link is built from base_url when
// the snapshot is rendered, so no request can make feedpub point a
// cached page elsewhere (cache poisoning through X-Forwarded-Host and
// the like).

// peerTrusted reports whether r comes straight from a trusted proxy.
func (h *Handler) peerTrusted(r *http.Request) bool {
	if len(h.proxies) == 0 {
		return false
	}
	addr, ok := parseAddr(r.RemoteAddr)
	return ok && h.trusted(addr)
}

// trusted reports whether addr is a trusted proxy's.
func (h *Handler) trusted(addr netip.Addr) bool {
	for _, p := range h.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// isHTTPS reports whether the client asked over https: TLS to feedpub
// itself, or X-Forwarded-Proto: https from a trusted proxy.
func (h *Handler) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto := r.Header["X-Forwarded-Proto"]
	return len(proto) > 0 && strings.EqualFold(strings.TrimSpace(proto[0]), "https") && h.peerTrusted(r)
}

// clientAddr returns the client's address: the peer's, or, when the peer
// is a trusted proxy, the last address in X-Forwarded-For that is not a
// trusted proxy's (each proxy appends the address it saw; the ones before
// the first untrusted hop may be made up).
func (h *Handler) clientAddr(r *http.Request) string {
	if !h.peerTrusted(r) {
		return r.RemoteAddr
	}
	var hops []string
	for _, v := range r.Header["X-Forwarded-For"] {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := r.RemoteAddr
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = addr.String()
		if !h.trusted(addr.Unmap()) {
			break
		}
	}
	return client
}

// parseAddr parses the IP of a host:port remote address.
func parseAddr(remote string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	return addr.Unmap(), err == nil
}
