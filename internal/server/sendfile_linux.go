package server

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Copying a large body into the socket is most of what a 200 costs:
// profiles of the load test put 40 % of feedpub's CPU time in the kernel's
// copy from user memory, which nginx does not pay because it sends files
// with sendfile. The wire path does the same for large bodies: each is
// copied once into a sealed memfd, an in-memory file, and sendfile hands
// its pages to the socket. Below sendfileMin the copy costs less than the
// extra system call.
const sendfileMin = 32 << 10

// maxBodyFiles bounds the memfds open at once, so that a site with many
// large documents cannot run the process out of descriptors; bodies past
// it are written as they are.
const maxBodyFiles = 1024

// openBodyFiles counts the memfds not yet closed.
var openBodyFiles atomic.Int64

// bodyFile is a body in a sealed memfd. Its descriptor is closed when the
// bodyFile is garbage: after its variant's snapshot has gone and no
// response is sending from it.
type bodyFile struct {
	fd   int
	size int
}

// newBodyFile copies body into a new memfd and seals it against change.
func newBodyFile(body []byte) (*bodyFile, error) {
	if openBodyFiles.Add(1) > maxBodyFiles {
		openBodyFiles.Add(-1)
		return nil, errTooManyBodyFiles
	}
	fd, err := unix.MemfdCreate("feedpub-body", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		openBodyFiles.Add(-1)
		return nil, err
	}
	if err := writeAll(fd, body); err != nil {
		closeBodyFile(fd)
		return nil, err
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		closeBodyFile(fd)
		return nil, err
	}
	f := &bodyFile{fd: fd, size: len(body)}
	runtime.AddCleanup(f, closeBodyFile, fd)
	return f, nil
}

var errTooManyBodyFiles = errors.New("too many body files open")

func closeBodyFile(fd int) {
	unix.Close(fd)
	openBodyFiles.Add(-1)
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// fileSender sends responses with sendfile over one connection. It is
// made once per connection, with its step function bound once, so that
// sending allocates nothing.
type fileSender struct {
	conn net.Conn
	rc   syscall.RawConn // nil when conn is not a socket
	step func(fd uintptr) bool

	// The response being sent: what is left of head, the body's file and
	// the offset reached in it, and the error that stopped it.
	head []byte
	file *bodyFile
	off  int64
	err  error
}

func newFileSender(conn net.Conn) *fileSender {
	s := &fileSender{conn: conn}
	if sc, ok := conn.(syscall.Conn); ok {
		s.rc, _ = sc.SyscallConn()
	}
	s.step = s.write
	return s
}

// send writes head and then body, which f holds: with sendfile when the
// connection is a socket that takes it, else with a plain write. The
// connection's write deadline applies.
func (s *fileSender) send(head []byte, f *bodyFile, body []byte) error {
	if s.rc == nil {
		return writeBoth(s.conn, head, body)
	}
	s.head, s.file, s.off, s.err = head, f, 0, nil
	err := s.rc.Write(s.step)
	if err == nil {
		err = s.err
	}
	head, off := s.head, s.off
	s.head, s.file = nil, nil
	if off == 0 && (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP)) {
		// A socket sendfile cannot write to: send what is left plainly.
		return writeBoth(s.conn, head, body)
	}
	return err
}

// write sends as much as the socket fd takes, reporting false when it
// takes no more for now (RawConn.Write then waits until it does).
func (s *fileSender) write(fd uintptr) bool {
	for len(s.head) > 0 || s.off < int64(s.file.size) {
		var err error
		if len(s.head) > 0 {
			// With MSG_MORE, so that the head leaves in one segment with
			// the start of the body, as nginx does with TCP_NOPUSH.
			var n int
			if n, err = unix.SendmsgN(int(fd), s.head, nil, nil, unix.MSG_MORE); err == nil {
				s.head = s.head[n:]
			}
		} else if n, e := unix.Sendfile(int(fd), s.file.fd, &s.off, s.file.size-int(s.off)); e != nil {
			err = e
		} else if n == 0 {
			err = io.ErrUnexpectedEOF // the file is sealed; never
		}
		switch err {
		case nil, unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			s.err = err
			return true
		}
	}
	return true
}
