package server

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Server serves a Handler over HTTP/1.1 on a listener, answering the
// requests that feed readers repeat all day (a GET or HEAD of a document,
// with or without gzip, conditional or not) straight from the
// connection: it reads the request head into the connection's buffer,
// writes header bytes prepared per document and the body in one writev
// (or sendfile, for large bodies), and allocates one string per request.
// This wire path is what lets feedpub keep up with nginx: net/http's own
// work per request (header maps, buffered writers, a goroutine watching
// the connection) is most of a request's cost, and a 304 over one
// connection takes twice as long through it (BenchmarkRoundTrip).
//
// Every other request, and every connection after it, goes to the
// http.Server given to NewServer, with the bytes read so far: anything
// parseHead does not accept (another method or version, a query, an
// escaped or unknown path, a body, Range, If-Match, a repeated field, a
// head over 4 KB…) and any path not in the snapshot. The two paths give
// the same answers; tests send the same requests to both and compare.
//
// The http.Server's timeouts bound the wire path too: ReadHeaderTimeout
// (or ReadTimeout) the head of each request, IdleTimeout (or ReadTimeout)
// the wait for the next one, WriteTimeout each response. A head longer
// than the wire path's buffer goes to net/http, which applies
// MaxHeaderBytes; net/http takes any head of up to 4 KB whatever that
// limit, so the wire path accepts nothing it would refuse.
type Server struct {
	handler *Handler
	http    *http.Server
	handoff *handoffListener

	headerTimeout, idleTimeout, writeTimeout time.Duration

	mu       sync.Mutex
	ln       net.Listener
	conns    map[*wireConn]struct{}
	shutting atomic.Bool
	// httpDone, once Serve has started, is closed when the http.Server
	// stops serving handed-off connections.
	httpDone chan struct{}
}

// NewServer returns a Server answering with h, and with hs for what the
// wire path does not answer. hs.Handler should be h.
func NewServer(h *Handler, hs *http.Server) *Server {
	s := &Server{
		handler:       h,
		http:          hs,
		handoff:       newHandoffListener(),
		headerTimeout: cmp0(hs.ReadHeaderTimeout, hs.ReadTimeout),
		idleTimeout:   cmp0(hs.IdleTimeout, hs.ReadTimeout),
		writeTimeout:  hs.WriteTimeout,
		conns:         make(map[*wireConn]struct{}),
	}
	return s
}

// cmp0 returns d, or fallback when d is zero, as net/http reads its
// timeouts.
func cmp0(d, fallback time.Duration) time.Duration {
	if d != 0 {
		return d
	}
	return fallback
}

// Serve accepts connections on ln until Shutdown or Close, and returns
// http.ErrServerClosed then. Call it once.
func (s *Server) Serve(ln net.Listener) error {
	if !s.start(ln) {
		ln.Close()
		return http.ErrServerClosed
	}
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.shutting.Load() {
				return http.ErrServerClosed
			}
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				// Out of descriptors, most likely: wait for some to close,
				// as net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.handler.logger.Warn("accepting a connection", "err", err, "retry_in", delay)
				time.Sleep(delay)
				continue
			}
			s.Close()
			return err
		}
		delay = 0
		if wc := s.track(c); wc != nil {
			go wc.serve()
		}
	}
}

// start records ln and has the http.Server serve handed-off connections,
// unless the server is shutting down.
func (s *Server) start(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutting.Load() {
		return false
	}
	s.ln = ln
	s.handoff.addr = ln.Addr()
	s.httpDone = make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		s.http.Serve(s.handoff)
	}(s.httpDone)
	return true
}

// track registers a new connection, or closes it and returns nil when
// the server is shutting down.
func (s *Server) track(c net.Conn) *wireConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutting.Load() {
		c.Close()
		return nil
	}
	wc := &wireConn{srv: s, conn: c, br: bufio.NewReaderSize(c, wireBufferSize)}
	s.conns[wc] = struct{}{}
	return wc
}

func (s *Server) forget(wc *wireConn) {
	s.mu.Lock()
	delete(s.conns, wc)
	s.mu.Unlock()
}

// Shutdown stops accepting connections, closes the idle ones, and waits
// for responses in progress to finish, then closes their connections;
// handed-off connections are shut down by the http.Server's Shutdown.
// When ctx ends first, it closes every connection and returns ctx's
// error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopAccepting()
	httpErr := make(chan error, 1)
	go func() { httpErr <- s.http.Shutdown(ctx) }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var err error
	for s.wakeIdle() > 0 && err == nil {
		select {
		case <-ctx.Done():
			s.Close()
			err = ctx.Err()
		case <-tick.C:
		}
	}
	if httpErr := <-httpErr; err == nil {
		err = httpErr
	}
	s.mu.Lock()
	done := s.httpDone
	s.mu.Unlock()
	if done != nil {
		<-done
	}
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.stopAccepting()
	err := s.http.Close()
	s.mu.Lock()
	for wc := range s.conns {
		wc.conn.Close()
	}
	s.mu.Unlock()
	return err
}

func (s *Server) stopAccepting() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutting.Swap(true) {
		return
	}
	if s.ln != nil {
		s.ln.Close()
	}
	s.handoff.Close()
}

// wakeIdle interrupts the connections waiting for a request, which then
// close, and returns how many connections are still open.
func (s *Server) wakeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for wc := range s.conns {
		if wc.idle.Load() {
			wc.conn.SetReadDeadline(aLongTimeAgo)
		}
	}
	return len(s.conns)
}

// aLongTimeAgo is a deadline in the past, which makes a blocked Read
// return at once.
var aLongTimeAgo = time.Unix(1, 0)

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
	if e == nil {
		return handOff
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
	h.record(r, e.route, status, len(body), start, c)
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

// record records a wire-path request in the metrics and access log, as
// Handler.finish does for net/http's.
func (h *Handler) record(r *request, rt route, status, bytes int, start time.Time, c *wireConn) {
	if h.metrics != nil {
		h.metrics.count(rt, status, bytes)
	}
	if h.accessLog {
		if c.remote == "" {
			c.remote = c.conn.RemoteAddr().String()
		}
		h.logger.LogAttrs(context.Background(), slog.LevelInfo, "request",
			slog.String("method", r.method),
			slog.String("path", r.path),
			slog.Int("status", status),
			slog.Int("bytes", bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", c.remote),
		)
	}
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
	h.record(r, routeInvalid, http.StatusInternalServerError, 0, now, c)
	*o = closeConn
}

// internalError is the head of a 500, as writeStatus sends it.
var internalError = []byte("HTTP/1.1 500 Internal Server Error\r\n" +
	"Cache-Control: no-store\r\n" +
	"Content-Length: " + itoa(len(statusBodies[http.StatusInternalServerError])) + "\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"X-Content-Type-Options: nosniff\r\n")

// handOff gives the connection, with what is buffered of it, to the
// http.Server.
func (c *wireConn) handOff() {
	c.conn.SetReadDeadline(time.Time{})
	c.conn.SetWriteDeadline(time.Time{})
	hc := &handedConn{Conn: c.conn, r: c.br}
	if !c.srv.handoff.give(hc) {
		c.conn.Close()
	}
}

// handedConn is a connection handed to net/http: reads drain the wire
// path's buffer first.
type handedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *handedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// CloseWrite half-closes the connection, as net/http does before closing
// one it stopped reading from, so the client sees the response.
func (c *handedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// handoffListener is the listener the http.Server serves: it accepts the
// connections the wire path gives it.
type handoffListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	addr  net.Addr
}

func newHandoffListener() *handoffListener {
	return &handoffListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// give passes c to the http.Server, reporting false once it is closed.
func (l *handoffListener) give(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }

// wireHeads are a variant's header sections as the wire path sends them:
// status line and fields, without the Date and the final CRLF. The
// fields are those the Handler sets through net/http, in the order
// net/http writes them (sorted by name).
type wireHeads struct {
	ok, notModified []byte
	// okBrowser is ok for browsers (see entry.browserType), or nil.
	okBrowser []byte
}

// heads returns v's wire heads, making them on first use.
func (v *variant) heads(e *entry) *wireHeads {
	if w := v.wire.Load(); w != nil {
		return w
	}
	w := &wireHeads{
		ok:          wireHead("200 OK", v.ok, nil),
		notModified: wireHead("304 Not Modified", v.notModified, nil),
	}
	if e.browserType != nil {
		w.okBrowser = wireHead("200 OK", v.ok, e.browserType)
	}
	v.wire.CompareAndSwap(nil, w)
	return v.wire.Load()
}

// wireHead formats a status line and fields, with contentType in place
// of the Content-Type field when not nil.
func wireHead(status string, fields []field, contentType []string) []byte {
	sorted := slices.Clone(fields)
	slices.SortFunc(sorted, func(a, b field) int { return strings.Compare(a.key, b.key) })
	b := []byte("HTTP/1.1 " + status + "\r\n")
	for _, f := range sorted {
		values := f.value
		if f.key == "Content-Type" && contentType != nil {
			values = contentType
		}
		for _, v := range values {
			b = append(append(append(append(b, f.key...), ": "...), v...), "\r\n"...)
		}
	}
	return slices.Clip(b)
}
