package server

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestFileSender sends a head and a large body over loopback TCP with
// sendfile, and over a pipe, which takes plain writes: the reader gets the
// same bytes either way.
func TestFileSender(t *testing.T) {
	head := []byte("HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n")
	body := bytes.Repeat([]byte("feedpub "), 300000/8)
	f, err := newBodyFile(body)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte(nil), head...), body...)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	for name, pair := range map[string][2]net.Conn{"tcp": {server, client}, "pipe": {a, b}} {
		sent := make(chan error, 1)
		go func() {
			sent <- newFileSender(pair[0]).send(head, f, body)
			pair[0].Close()
		}()
		got, err := io.ReadAll(pair[1])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := <-sent; err != nil {
			t.Errorf("%s: sendFile: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: got %d bytes, want the %d of head and body", name, len(got), len(want))
		}
	}
}

// TestBodyFileIsSealedAndClosed: nothing can change a body file, and its
// descriptor is closed once it is garbage.
func TestBodyFileIsSealedAndClosed(t *testing.T) {
	before := openBodyFiles.Load()
	checkSealed(t)
	deadline := time.Now().Add(5 * time.Second)
	for openBodyFiles.Load() > before {
		if time.Now().After(deadline) {
			t.Fatal("the body file is still open after garbage collections")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// checkSealed makes a body file, which is garbage once it returns, and
// tries to change it.
func checkSealed(t *testing.T) {
	f, err := newBodyFile(bytes.Repeat([]byte("x"), sendfileMin))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Pwrite(f.fd, []byte("y"), 0); err == nil {
		t.Error("wrote into a sealed body file")
	}
	if err := unix.Ftruncate(f.fd, 1); err == nil {
		t.Error("truncated a sealed body file")
	}
}
