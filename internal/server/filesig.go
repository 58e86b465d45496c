package server

import (
	"os"

	"github.com/feedpub/feedpub/internal/site"
)

// sigOf returns the signature of the file info describes.
func sigOf(info os.FileInfo) site.FileSig {
	return site.FileSig{Size: info.Size(), ModTime: info.ModTime().UnixNano(), Inode: inodeOf(info)}
}
