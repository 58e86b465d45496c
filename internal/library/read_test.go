package library

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll sizes its buffer from the walk's stat, but the file may have
// grown or shrunk since: it must still return exactly what is there,
// whatever the buffer it reads into held before (the last file read).
func TestReadAllWhateverTheStatSaid(t *testing.T) {
	text := strings.Repeat("Title: x\nbody line\n", 300)
	last := []byte(strings.Repeat("z", 2*len(text)))
	for _, size := range []int64{0, 1, int64(len(text)) - 1, int64(len(text)), int64(len(text)) + 100} {
		for _, oneByte := range []bool{false, true} {
			for _, buf := range [][]byte{nil, last[:10], last} {
				var r io.Reader = strings.NewReader(text)
				if oneByte {
					r = iotest.OneByteReader(r)
				}
				got, err := readAll(r, size, buf)
				if err != nil || string(got) != text {
					t.Errorf("stat said %d, one byte per read %v, buffer of %d bytes: got %d bytes, %v; want %d", size, oneByte, len(buf), len(got), err, len(text))
				}
			}
		}
	}
}
