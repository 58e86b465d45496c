package server

import (
	"os"
	"sync"
)

// sigOf returns the signature of the file info describes.
func sigOf(info os.FileInfo) fileSig {
	return fileSig{size: info.Size(), modTime: info.ModTime().UnixNano(), inode: inodeOf(info)}
}

// verifiedFiles remembers, by path, the signature each stored file had
// when its bytes last passed their check, so that a file is hashed again
// only when it changes. Entries of stored documents are made per request
// (Handler.entryOf) and cannot keep this themselves.
type verifiedFiles struct {
	mu    sync.Mutex
	files map[string]fileSig
}

// maxVerified bounds the record: past it, the record starts again, and
// files are hashed again on their next request. Store files are named by
// their content and outlive no document for long, so this bounds what a
// long run leaves behind; at 2^18 files the record takes some 40 MB.
const maxVerified = 1 << 18

func (v *verifiedFiles) get(file string) fileSig {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.files[file]
}

func (v *verifiedFiles) set(file string, sig fileSig) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.files == nil || len(v.files) >= maxVerified {
		v.files = map[string]fileSig{}
	}
	v.files[file] = sig
}

func (v *verifiedFiles) forget(file string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.files, file)
}
