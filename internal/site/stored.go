package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/feedpub/feedpub/internal/store"
)

// Article pages are most of a site's bytes (at 10,000 articles some
// 85 MB of HTML and 17 MB of gzip, against 30 MB of articles), then the
// archive and the tag pages and feeds, and each is requested rarely. With
// a store (Builder.UseStore) their bodies go into it once rendered and
// stay out of memory: the document keeps the file's path and size, the
// server sends the file, and the gzip variant is the store's file too.
// The front documents (the feeds, the index and the others a restart
// restores) stay in memory: readers poll them.

// storedBody is a body kept in a file of a store.
type storedBody struct {
	// checked is what the file was when its bytes last passed their
	// check (CheckedAs), or nil.
	checked atomic.Pointer[FileSig]
	size    int64
	// unverified is set on a gzip variant taken from the store unread,
	// which Encoded.Bytes checks whole.
	unverified bool
	// wrote is set on a body this process wrote into the store, whose
	// file is known to hold it (CheckedFile); one it found there already
	// is read and checked first.
	wrote bool
	// name is the store's name of the file: the SHA-256 of a body, or
	// for a gzip variant the hex digits of the ETag of the body it
	// encodes (cacheName).
	name string
	st   *store.Store
}

// Stored reports whether the document's body is kept in a store (File)
// rather than in memory (Body).
func (d *Document) Stored() bool { return d.stored != nil }

// File returns the path and size of the file holding the document's body
// when it is kept in a store, or "" when the body is in memory (Body).
// Whoever sends the file checks it first (Bytes does, as does the server).
func (d *Document) File() (path string, size int64) { return d.stored.file(d.Body) }

// file returns the path and size of the stored body s, or "" and the
// size of body, held in memory, when s is nil.
func (s *storedBody) file(body []byte) (string, int64) {
	if s == nil {
		return "", int64(len(body))
	}
	// The path is made when asked for, not kept: at 100,000 pages and
	// their variants, keeping it took 20 MB.
	return s.path(), s.size
}

// Bytes returns the document's body: Body, or the bytes of its file in
// the store, checked against their hash. A missing or damaged file is an
// error; its bytes are never returned.
func (d *Document) Bytes() ([]byte, error) {
	if d.stored == nil {
		return d.Body, nil
	}
	body, err := d.stored.st.Get(d.stored.name)
	return body, d.stored.fileError(err)
}

// StoredFileError is a file of the store found missing, unreadable or
// not holding the bytes it was stored with. Whoever finds one can remove
// the file and render again, which writes it back.
type StoredFileError struct {
	Path string
	Err  error
}

func (e *StoredFileError) Error() string { return e.Err.Error() } // it names the file
func (e *StoredFileError) Unwrap() error { return e.Err }

// fileError returns err, if not nil, as a *StoredFileError for s's file.
func (s *storedBody) fileError(err error) error {
	if err == nil {
		return nil
	}
	return &StoredFileError{Path: s.path(), Err: err}
}

// Size returns the length of the document's body.
func (d *Document) Size() int64 {
	if d.stored != nil {
		return d.stored.size
	}
	return int64(len(d.Body))
}

// File returns the path and size of the file holding the compressed
// bytes when they are kept in a store, or "" when they are in Body.
func (e *Encoded) File() (path string, size int64) { return e.stored.file(e.Body) }

// Bytes returns the compressed bytes: Body, or those of the file in the
// store. Bytes this process compressed, or read and checked, are checked
// by their size only; those a start took from the store unread (a page
// reused from the index, pageindex.go) are decompressed and checked
// against the body's ETag, as Check does, since build and deploy send
// them on.
func (e *Encoded) Bytes() ([]byte, error) {
	if e.stored == nil {
		return e.Body, nil
	}
	data, err := e.read()
	if err == nil && e.stored.unverified {
		err = e.check(data)
	}
	return data, e.stored.fileError(err)
}

// read returns the bytes of the stored file, checked by their size.
func (e *Encoded) read() ([]byte, error) {
	data, err := e.stored.st.ReadAs(e.stored.name)
	if err == nil && int64(len(data)) != e.stored.size {
		err = fmt.Errorf("%s: %w", e.stored.path(), store.ErrCorrupt)
	}
	return data, err
}

// storeBody puts body into st and returns it as a stored body.
func storeBody(st *store.Store, body []byte) (*storedBody, error) {
	name, wrote, err := st.PutHashed(body, sha256.Sum256(body))
	if err != nil {
		return nil, err
	}
	return &storedBody{size: int64(len(body)), name: name, st: st, wrote: wrote}, nil
}

// path is the file holding the stored bytes.
func (s *storedBody) path() string { return s.st.Path(s.name) }

// CheckedFile returns the path of the store file holding the document's
// body once its bytes are known to be the body's: written by this
// process, or read and checked now (a missing or damaged file is a
// *StoredFileError). It returns "" for a body held in memory (Body).
// The file may be linked elsewhere, as build links its output to the
// store's files, but never written to: it is the store's.
func (d *Document) CheckedFile() (string, error) {
	if d.stored == nil {
		return "", nil
	}
	if !d.stored.wrote {
		if _, err := d.Bytes(); err != nil {
			return "", err
		}
	}
	return d.stored.path(), nil
}

// CheckedFile is Document.CheckedFile for the compressed bytes, checked
// as Bytes checks them: whole when taken from the store unread, else by
// their size.
func (e *Encoded) CheckedFile() (string, error) {
	if e.stored == nil {
		return "", nil
	}
	path := e.stored.path()
	if e.stored.unverified {
		if _, err := e.Bytes(); err != nil {
			return "", err
		}
		return path, nil
	}
	info, err := os.Stat(path)
	if err == nil && info.Size() != e.stored.size {
		err = fmt.Errorf("%s: %w", path, store.ErrCorrupt)
	}
	if err != nil {
		return "", e.stored.fileError(err)
	}
	return path, nil
}

// Check reports whether the document's body file is there and holds the
// bytes it was stored with. Documents kept in memory always pass.
func (d *Document) Check() error {
	_, err := d.Bytes()
	return err
}

// Check reports whether the compressed bytes are there and decompress to
// the body whose ETag their ETag carries.
func (e *Encoded) Check() error {
	if e.stored == nil {
		return nil
	}
	gz, err := e.read()
	if err == nil {
		err = e.check(gz)
	}
	return e.stored.fileError(err)
}

// check reports whether gz decompresses to the body of e's document, by
// its ETag.
func (e *Encoded) check(gz []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return fmt.Errorf("%s: %w", e.stored.path(), err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("%s: %w", e.stored.path(), err)
	}
	if etagOf(body) != e.of.ETag {
		return fmt.Errorf("%s: %w", e.stored.path(), store.ErrCorrupt)
	}
	return nil
}

// Mend removes the document's body file from its store, so that the next
// build that renders the page writes it again. The caller renders it
// again (Builder.Forget).
func (d *Document) Mend() {
	if d.stored != nil {
		os.Remove(d.stored.path())
	}
}

// FileSig tells a stored body's file apart from another in its place, or
// from itself after a write: its size, modification time and inode.
type FileSig struct {
	Size, ModTime int64
	Inode         uint64
}

// CheckedAs returns what the file of the document's stored body was when
// a server last found its bytes right (SetCheckedAs), or the zero
// FileSig. A server hashes the file again only when it is not that file
// any more. Kept with the body, it goes when the document does.
func (d *Document) CheckedAs() FileSig { return d.stored.checkedAs() }

// SetCheckedAs records what the file of the document's stored body was
// when its bytes were found right, or, with the zero FileSig, that they
// were not.
func (d *Document) SetCheckedAs(sig FileSig) { d.stored.setCheckedAs(sig) }

// CheckedAs is Document.CheckedAs for the compressed bytes.
func (e *Encoded) CheckedAs() FileSig { return e.stored.checkedAs() }

// SetCheckedAs is Document.SetCheckedAs for the compressed bytes.
func (e *Encoded) SetCheckedAs(sig FileSig) { e.stored.setCheckedAs(sig) }

func (s *storedBody) checkedAs() FileSig {
	if s == nil {
		return FileSig{}
	}
	if sig := s.checked.Load(); sig != nil {
		return *sig
	}
	return FileSig{}
}

func (s *storedBody) setCheckedAs(sig FileSig) {
	if s != nil {
		s.checked.Store(&sig)
	}
}
