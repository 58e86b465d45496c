// Package store keeps bytes in a directory under the names of their
// SHA-256 hashes, so that what one run of feedpub rendered can be served
// by the next without rendering it again.
//
// A file is written once, under its final name, and checked against its
// name when it is read: a corrupt or truncated file is an error, never
// served. A file of another size is replaced atomically (temporary file,
// then rename) by the next write of its bytes; one damaged in place, its
// size kept, is removed by whoever finds it, or replaced (ReplaceAs).
// Nothing in the store is needed: whatever is missing or wrong is
// rendered again.
package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// ErrCorrupt is returned by Get for a file whose bytes do not hash to its
// name.
var ErrCorrupt = errors.New("stored bytes do not match their hash")

// Store is a directory of files named by the hashes of their bytes.
type Store struct {
	dir string
}

// Open returns the store in dir. The directory is made on the first Put.
func Open(dir string) *Store { return &Store{dir: dir} }

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Name returns the name under which body is stored: the hex SHA-256 of it.
func Name(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Put stores body, unless a file of its name is already there, and
// returns its name.
func (s *Store) Put(body []byte) (string, error) {
	name, _, err := s.PutHashed(body, sha256.Sum256(body))
	return name, err
}

// PutHashed is Put for a caller that has the SHA-256 of body, sum,
// already (as a document has, for its ETag). It also reports whether it
// wrote the file, whose bytes are then known to be body's; a file it
// found there is kept unread, and may have been damaged since.
func (s *Store) PutHashed(body []byte, sum [sha256.Size]byte) (name string, wrote bool, err error) {
	name = hex.EncodeToString(sum[:])
	if wrote, err = put(s.Path(name), body); err != nil {
		return "", false, err
	}
	return name, wrote, nil
}

// put writes data to path unless a file of its size is there, and
// reports whether it wrote it. A new file is created under its final
// name: three system calls where a temporary file and a rename take
// eight, which at 100,000 pages was most of the time a first start spent
// storing them. No reader opens it before it is complete: a document
// enters a snapshot only once stored, and a file already there is never
// written in place (build links its output to these files). Not synced:
// whoever reads a stored file checks it, and one a crash left short or
// damaged is replaced, atomically, by the next put of its bytes.
func put(path string, data []byte) (wrote bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return false, err
		}
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	}
	if errors.Is(err, fs.ErrExist) {
		if info, err := os.Stat(path); err == nil && info.Size() == int64(len(data)) {
			// In use again: a collection under way keeps it
			// (KeepSince).
			now := time.Now()
			return false, os.Chtimes(path, now, now)
		}
		return true, writeFile(path, data, false)
	}
	if err != nil {
		return false, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return false, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return false, fmt.Errorf("writing %s: %w", path, err)
	}
	return true, nil
}

// PutAs stores data under name, a hash of something the caller can check
// what ReadAs returns against (such as the bytes data is the gzip
// encoding of), unless a file of that name and size is there.
func (s *Store) PutAs(name string, data []byte) error {
	if !IsName(name) {
		return fmt.Errorf("%q is not a stored name", name)
	}
	// Not synced: the caller checks what it reads, so a file a crash
	// left empty or short costs only making it again, and a sync per
	// file made storing the 10,000 variants of a site take seconds.
	_, err := put(s.Path(name), data)
	return err
}

// ReplaceAs stores data under name as PutAs does, replacing a file of
// that name whatever its size: PutAs keeps a file of the right size, so
// bytes the caller found wrong there (ReadAs, then its check) would stay.
// The new file is renamed over the old one, so that a reader sees either
// whole.
func (s *Store) ReplaceAs(name string, data []byte) error {
	if !IsName(name) {
		return fmt.Errorf("%q is not a stored name", name)
	}
	return writeFile(s.Path(name), data, false)
}

// ReadAs returns the bytes stored under name by PutAs, unchecked: the
// caller checks them.
func (s *Store) ReadAs(name string) ([]byte, error) {
	if !IsName(name) {
		return nil, fmt.Errorf("%q is not a stored name", name)
	}
	return os.ReadFile(s.Path(name))
}

// Get returns the bytes stored under name, checked against it.
func (s *Store) Get(name string) ([]byte, error) { return s.GetInto(name, nil) }

// GetInto is Get reading into buf (grown as needed), so that a caller
// reading many files can reuse one buffer.
func (s *Store) GetInto(name string, buf []byte) ([]byte, error) {
	if !IsName(name) {
		return nil, fmt.Errorf("%q is not a stored name", name)
	}
	f, err := os.Open(s.Path(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := bytes.NewBuffer(buf[:0])
	if info, err := f.Stat(); err == nil {
		b.Grow(int(info.Size()) + bytes.MinRead) // one read, as os.ReadFile does
	}
	if _, err := b.ReadFrom(f); err != nil {
		return nil, err
	}
	if Name(b.Bytes()) != name {
		return nil, fmt.Errorf("%s: %w", s.Path(name), ErrCorrupt)
	}
	return b.Bytes(), nil
}

// Keep removes every stored file whose name is not in keep. Files that
// are not stored bytes (such as a manifest beside them) are left alone.
func (s *Store) Keep(keep map[string]bool) error { return s.KeepSince(keep, time.Time{}) }

// KeepSince is Keep leaving also every file written or put since the
// time since, unless since is zero: what a build under way stores, and
// files it found there and put again (put marks them), are not yet in
// keep but must stay.
func (s *Store) KeepSince(keep map[string]bool, since time.Time) error {
	shards, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, shard := range shards {
		if !shard.IsDir() || !isShard(shard.Name()) {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(s.dir, shard.Name()))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if name := e.Name(); IsName(name) && !keep[name] && !s.touchedSince(name, since) {
				if err := os.Remove(s.Path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
		}
	}
	return nil
}

// touchedSince reports whether the file stored under name was written
// or put at or after since (never, for a zero since).
func (s *Store) touchedSince(name string, since time.Time) bool {
	if since.IsZero() {
		return false
	}
	info, err := os.Lstat(s.Path(name))
	return err == nil && !info.ModTime().Before(since)
}

// Path returns the path of the file stored under name: in a directory
// named by its first two hex digits, as git keeps objects, so that no
// directory holds more than a few hundred of a site's 100,000 files.
func (s *Store) Path(name string) string {
	return filepath.Join(s.dir, name[:2], name)
}

func isShard(name string) bool { return len(name) == 2 && isHex(name) }

// IsName reports whether name can be the name of stored bytes: 32 or 64
// lower-case hex digits (a SHA-256, or the half of one an ETag holds), so
// no path outside the store is ever opened.
func IsName(name string) bool {
	return (len(name) == 2*sha256.Size || len(name) == sha256.Size) && isHex(name)
}

// isHex reports whether name is lower-case hex digits.
func isHex(name string) bool {
	for _, c := range []byte(name) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, synced and renamed over path, so that a crash leaves either
// the old file or the new one, never half of one. It makes the directory.
func WriteFileAtomic(path string, data []byte) error {
	return writeFile(path, data, true)
}

// WriteAtomic is WriteFileAtomic for contents that write writes, through
// a buffer, so that a large file need not be held in memory whole.
func WriteAtomic(path string, write func(io.Writer) error) error {
	return writeWith(path, true, func(f *os.File) error {
		w := bufio.NewWriter(f)
		if err := write(w); err != nil {
			return err
		}
		return w.Flush()
	})
}

// writeFile is WriteFileAtomic, syncing the file before the rename only
// when sync is set.
func writeFile(path string, data []byte, sync bool) error {
	return writeWith(path, sync, func(f *os.File) error {
		_, err := bytes.NewReader(data).WriteTo(f)
		return err
	})
}

// writeWith writes a file of path's directory with write, syncs it when
// sync is set and renames it over path.
func writeWith(path string, sync bool, write func(*os.File) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := createTemp(dir, filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := syncIf(sync, tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// createTemp is os.CreateTemp for a file that will be renamed to base in
// dir, made with the permissions os.WriteFile gives (0644 less the
// umask), not 0600: a stored body replaced through it may be linked
// into a build's output, which a web server running as another user
// reads.
func createTemp(dir, base string) (*os.File, error) {
	for {
		name := filepath.Join(dir, "."+base+"-"+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

func syncIf(sync bool, f *os.File) error {
	if !sync {
		return nil
	}
	return f.Sync()
}
