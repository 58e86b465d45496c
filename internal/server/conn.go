package server

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// net/http writes a response through a 4 KB buffer: a larger response
// leaves in two writes at least (the buffer with the header, then the rest
// of the body), and on a busy server each write costs a trip through the
// TCP stack and a wake-up of the client. Over a Listener from NewListener,
// the Handler gathers a response's writes and sends them in one, as nginx
// does with TCP_CORK.

// NewListener wraps ln so that the Handler can send each response's
// header and body in a single write. Serve it with an http.Server whose
// ConnContext is the Handler's ConnContext; without that, the connections
// behave as ln's own.
func NewListener(ln net.Listener) net.Listener { return listener{ln} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &gatherConn{Conn: c}, nil
}

// connKey is the context key of a connection's *gatherConn.
type connKey struct{}

// ConnContext makes a connection from a NewListener listener known to the
// Handler; set it as the http.Server's ConnContext.
func (h *Handler) ConnContext(ctx context.Context, c net.Conn) context.Context {
	if gc, ok := c.(*gatherConn); ok {
		return context.WithValue(ctx, connKey{}, gc)
	}
	return ctx
}

// gatherConn is a connection that, between gather and send, keeps what is
// written to it and then writes it all at once. Only the goroutine serving
// the connection's current request writes to it, so it needs no lock.
type gatherConn struct {
	net.Conn
	// buf holds the gathered bytes; nil when not gathering.
	buf *[]byte
	// body is the response body being written, immutable; tail, once
	// set, is the end of it, which net/http passes on without buffering
	// and which is sent from where it is rather than copied.
	body, tail []byte
	// vec is the writev of buf and tail, kept to avoid allocating it.
	vec  net.Buffers
	vec2 [2][]byte
}

// gatherBufs recycles gathering buffers, so an idle connection holds none.
var gatherBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// maxKeptBuf bounds the buffers returned to the pool, so one large
// response does not pin its size.
const maxKeptBuf = 64 << 10

// gather starts gathering the writes of a response whose body is body.
func (c *gatherConn) gather(body []byte) {
	c.buf = gatherBufs.Get().(*[]byte)
	c.body = body
}

func (c *gatherConn) Write(p []byte) (int, error) {
	switch {
	case c.buf == nil:
		return c.Conn.Write(p)
	case c.tail == nil && len(p) > 0 && len(p) <= len(c.body) && &p[0] == &c.body[len(c.body)-len(p)]:
		c.tail = p
		return len(p), nil
	case c.tail != nil:
		// Nothing follows the body in a response with a length; should
		// something, keep the order by sending what came before.
		if err := c.send(); err != nil {
			return 0, err
		}
		return c.Conn.Write(p)
	}
	*c.buf = append(*c.buf, p...)
	return len(p), nil
}

// send writes what was gathered, in one write, and stops gathering.
func (c *gatherConn) send() error {
	b, tail := c.buf, c.tail
	c.buf, c.body, c.tail = nil, nil, nil
	var err error
	if tail == nil {
		_, err = c.Conn.Write(*b)
	} else {
		c.vec2 = [2][]byte{*b, tail}
		c.vec = c.vec2[:]
		_, err = c.vec.WriteTo(c.Conn)
		c.vec2 = [2][]byte{}
	}
	if cap(*b) <= maxKeptBuf {
		*b = (*b)[:0]
		gatherBufs.Put(b)
	}
	return err
}

// CloseWrite half-closes the connection, which net/http does before
// closing a connection it reads no more from.
func (c *gatherConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// writeBodyGathered writes body as the whole response body, in one write
// to the connection with the header when the request came over a
// NewListener connection.
func writeBodyGathered(w http.ResponseWriter, r *http.Request, body []byte) int {
	gc, _ := r.Context().Value(connKey{}).(*gatherConn)
	f, _ := w.(http.Flusher)
	if gc == nil || f == nil {
		n, _ := w.Write(body)
		return n
	}
	gc.gather(body)
	n, _ := w.Write(body)
	f.Flush() // what net/http still buffers
	gc.send()
	return n
}
