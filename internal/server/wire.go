package server

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
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
