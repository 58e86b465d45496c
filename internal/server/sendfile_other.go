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

func sendFile(conn net.Conn, head []byte, _ *bodyFile, body []byte) error {
	return writeBoth(conn, head, body)
}
