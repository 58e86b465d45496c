//go:build unix

package server

import (
	"os"
	"syscall"
)

// inodeOf returns the inode number of the file info describes.
func inodeOf(info os.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
