package server

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// wireBufferSize is the read buffer of a connection: a request head
// longer than this goes to net/http, which takes up to MaxHeaderBytes.
// Feed readers send a few hundred bytes.
const wireBufferSize = 4 << 10

// wireConn is one connection served by the wire path.
type wireConn struct {
	srv  *Server
	conn net.Conn
	br   *bufio.Reader
	// idle is true while the connection waits for a request, when
	// Shutdown may close it.
	idle atomic.Bool
	// out is the response being written: head, date, end, body.
	vec [4][]byte
	out net.Buffers
	// head is the header section of a response sent with sendfile, and
	// files the sender, made with the first such response.
	head  []byte
	files *fileSender
	// date is the Date field for the second dateSec.
	date    []byte
	dateSec int64
	remote  string
}

// serve answers requests until the client closes, a timeout, a request
// for net/http (which then gets the connection), or shutdown.
func (c *wireConn) serve() {
	defer c.srv.forget(c)
	for first := true; ; first = false {
		if !c.await(first) {
			c.conn.Close()
			return
		}
		switch c.serveOne() {
		case handOff:
			c.handOff()
			return
		case closeConn:
			c.conn.Close()
			return
		}
	}
}

// await waits for the start of the next request and then sets the
// deadline for the rest of its head. As net/http does, it waits for the
// first byte of a connection's first request, at most the header
// timeout, and for the first 4 bytes of a later one, at most the idle
// timeout. It reports false when the connection should close.
func (c *wireConn) await(first bool) bool {
	need, wait := 4, c.srv.idleTimeout
	if first {
		need, wait = 1, c.srv.headerTimeout
	}
	if c.br.Buffered() < need {
		c.conn.SetReadDeadline(deadline(wait))
		c.idle.Store(true)
		if c.srv.shutting.Load() {
			return false
		}
		_, err := c.br.Peek(need)
		c.idle.Store(false)
		if err != nil {
			return false
		}
	}
	c.conn.SetReadDeadline(deadline(c.srv.headerTimeout))
	return true
}

// deadline is d from now, or none for zero.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// outcome is what to do with a connection after a request.
type outcome uint8

const (
	keepAlive outcome = iota
	closeConn
	handOff
)

// serveOne reads a request head and answers it, or leaves it unread for
// net/http.
func (c *wireConn) serveOne() (o outcome) {
	n, err := c.readHead()
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return closeConn // as net/http does, without an answer
	case err != nil:
		// A head longer than the buffer, or one the client cut short:
		// net/http answers both (431 or 400).
		return handOff
	}
	raw, _ := c.br.Peek(n)
	r, ok := parseHead(string(raw))
	if !ok {
		return handOff
	}
	defer c.recover(&r, &o)
	return c.answer(&r, n)
}

// readHead waits until the buffer holds a whole request head and returns
// its length. bufio.ErrBufferFull means the head is longer than the
// buffer.
func (c *wireConn) readHead() (int, error) {
	from := 0
	for {
		b, err := c.br.Peek(c.br.Buffered())
		if n := headEnd(b, from); n >= 0 {
			return n, nil
		}
		if err == nil {
			from = max(0, len(b)-3)
			_, err = c.br.Peek(len(b) + 1)
		}
		if err != nil {
			return 0, err
		}
	}
}

// answer writes the response to r, whose head is the next n bytes of the
// buffer, if its path is a document of the current snapshot.
func (c *wireConn) answer(r *request, n int) outcome {
	h := c.srv.handler
	snap := h.src.Snapshot()
	if snap == nil {
		return handOff
	}
	e := h.tableFor(snap).entries[r.path]
	if e == nil || e.view != nil && prefersHTML(fieldValues(r.accept)) {
		return handOff // the Handler answers browsers with a feed's HTML view
	}
	c.br.Discard(n)
	start := time.Now()
	v, notModified := e.negotiate(fieldValues(r.acceptEncoding), fieldValues(r.ifNoneMatch), fieldValues(r.ifModifiedSince))
	heads := v.heads(e)
	head, status, body := heads.ok, http.StatusOK, v.body
	switch {
	case notModified:
		head, status, body = heads.notModified, http.StatusNotModified, nil
	case heads.okBrowser != nil && prefersHTML(fieldValues(r.accept)):
		head = heads.okBrowser
	}
	if r.method == http.MethodHead {
		body = nil
	}
	err := c.write(head, r.close, v, body, start)
	h.account(r.method, r.path, result{e.route, status, len(body)}, start, c.remoteAddr())
	if err != nil || r.close {
		return closeConn
	}
	return keepAlive
}

// fieldValues is v as the values of a field with one line, nil when v is
// empty.
func fieldValues(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// write sends a response: head, the Date, the end of the header
// section (closing the connection after if asked), and body, which v
// holds. A large body goes with sendfile (see sendfile_linux.go), the
// rest in one writev.
func (c *wireConn) write(head []byte, close bool, v *variant, body []byte, now time.Time) error {
	if sec := now.Unix(); sec != c.dateSec || c.date == nil {
		c.date = append(now.UTC().AppendFormat(append(c.date[:0], "Date: "...), http.TimeFormat), "\r\n"...)
		c.dateSec = sec
	}
	end := endOfHead
	if close {
		end = endOfHeadClose
	}
	if c.srv.writeTimeout > 0 {
		c.conn.SetWriteDeadline(now.Add(c.srv.writeTimeout))
	}
	if v != nil && len(body) >= sendfileMin {
		if f := v.bodyFile(); f != nil {
			if c.files == nil {
				c.files = newFileSender(c.conn)
			}
			c.head = append(append(append(c.head[:0], head...), c.date...), end...)
			return c.files.send(c.head, f, body)
		}
	}
	c.vec = [4][]byte{head, c.date, end, body}
	c.out = c.vec[:]
	_, err := c.out.WriteTo(c.conn)
	c.vec = [4][]byte{} // the body belongs to a snapshot that may go
	return err
}

// writeBoth writes head and body to conn in one writev.
func writeBoth(conn net.Conn, head, body []byte) error {
	bufs := net.Buffers{head, body}
	_, err := bufs.WriteTo(conn)
	return err
}

// bodyFile returns v's body in a memfd for sendfile, making it on first
// use, or nil when it cannot be made.
func (v *variant) bodyFile() *bodyFile {
	if f := v.file.Load(); f != nil || v.noFile.Load() {
		return f
	}
	f, err := newBodyFile(v.body)
	if err != nil {
		// Out of descriptors or memory, or an old kernel: write the
		// body from memory, and try again for the next snapshot.
		v.noFile.Store(true)
		return nil
	}
	v.file.CompareAndSwap(nil, f) // a loser's file is closed as garbage
	return v.file.Load()
}

var (
	endOfHead      = []byte("\r\n")
	endOfHeadClose = []byte("Connection: close\r\n\r\n")
)

// remoteAddr is the client's address, for the access log, found once per
// connection.
func (c *wireConn) remoteAddr() string {
	if c.remote == "" {
		c.remote = c.conn.RemoteAddr().String()
	}
	return c.remote
}

// recover answers a panic while answering r with 500, logs it and has
// the connection closed.
func (c *wireConn) recover(r *request, o *outcome) {
	v := recover()
	if v == nil {
		return
	}
	h := c.srv.handler
	h.logger.Error("panic serving request", "method", r.method, "path", r.path, "panic", v, "stack", stack())
	now := time.Now()
	c.write(internalError, true, nil, statusBodies[http.StatusInternalServerError], now)
	h.account(r.method, r.path, result{routeInvalid, http.StatusInternalServerError, 0}, now, c.remoteAddr())
	*o = closeConn
}

// internalError is the head of a 500, with the fields writeStatus sets.
var internalError = wireHead("500 Internal Server Error", []field{
	{"Cache-Control", noStore},
	{"Content-Length", fixed(itoa(len(statusBodies[http.StatusInternalServerError])))},
	{"Content-Type", textType},
	{"X-Content-Type-Options", nosniff},
}, nil)
