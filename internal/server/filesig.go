package server

import (
	"os"
	"sync"
)

// sigOf returns the signature of the file info describes.
func sigOf(info os.FileInfo) fileSig {
	return fileSig{size: info.Size(), modTime: info.ModTime().UnixNano(), inode: inodeOf(info)}
}

// atomicSig is a fileSig read and written by concurrent requests.
type atomicSig struct {
	mu  sync.Mutex
	sig fileSig
}

func (a *atomicSig) Load() fileSig {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sig
}

func (a *atomicSig) Store(sig fileSig) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sig = sig
}
