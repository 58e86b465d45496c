package library

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll sizes its buffer from the walk's stat, but the file may have
// grown or shrunk since: it must still return exactly what is there.
func TestReadAllWhateverTheStatSaid(t *testing.T) {
	text := strings.Repeat("Title: x\nbody line\n", 300)
	for _, size := range []int64{0, 1, int64(len(text)) - 1, int64(len(text)), int64(len(text)) + 100} {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = strings.NewReader(text)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			got, err := readAll(r, size)
			if err != nil || string(got) != text {
				t.Errorf("stat said %d, one byte per read %v: got %d bytes, %v; want %d", size, oneByte, len(got), err, len(text))
			}
		}
	}
}
