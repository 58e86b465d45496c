//go:build !linux

package server

import (
	"errors"
	"math"
	"net"
)

// Elsewhere than Linux, bodies are written from memory (see
// sendfile_linux.go).
const sendfileMin = math.MaxInt

type bodyFile struct{}

func newBodyFile([]byte) (*bodyFile, error) { return nil, errors.ErrUnsupported }

type fileSender struct{ conn net.Conn }

func newFileSender(conn net.Conn) *fileSender { return &fileSender{conn} }

func (s *fileSender) send(head []byte, _ *bodyFile, body []byte) error {
	return writeBoth(s.conn, head, body)
}
