//go:build !linux

package library

import (
	"io/fs"
	"time"
)

// Identity is unavailable here: link cycles are then bounded by the
// operating system's own limit on path length.
func Identity(fs.FileInfo) (FileID, bool) { return FileID{}, false }

// inodeAndChangeTime falls back to the modification time where ctime is
// not portable.
func inodeAndChangeTime(info fs.FileInfo) (uint64, time.Time) { return 0, info.ModTime() }
