package library

import (
	"io/fs"
	"syscall"
	"time"
)

// Identity returns the device and inode of a file.
func Identity(info fs.FileInfo) (FileID, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return FileID{}, false
	}
	return FileID{dev: uint64(st.Dev), ino: st.Ino}, true
}

// inodeAndChangeTime returns the file's inode and ctime.
func inodeAndChangeTime(info fs.FileInfo) (uint64, time.Time) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, info.ModTime()
	}
	return st.Ino, time.Unix(st.Ctim.Unix())
}
