package library

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/parallel"
)

// mediaTypes are the media files served beside the articles, by
// lower-case extension, with their content types (IANA media types).
var mediaTypes = map[string]string{
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".gif":  "image/gif",
	".webp": "image/webp",
	".svg":  "image/svg+xml",
	".mp3":  "audio/mpeg",
	".m4a":  "audio/mp4",
	".mp4":  "video/mp4",
	".pdf":  "application/pdf",
}

// IsMediaFile reports whether the file named by p is a media file that
// feedpub serves beside the articles: an image, audio, video or PDF whose
// name is not article.Ignored. Like article.IsArticleFile, it looks at the
// last element of p only.
func IsMediaFile(p string) bool {
	name := filepath.Base(p)
	return MediaType(name) != "" && !article.Ignored(name)
}

// MediaType returns the content type of the media file named by p, by its
// extension in any case, or "" when feedpub does not serve that kind.
func MediaType(p string) string {
	return mediaTypes[strings.ToLower(path.Ext(filepath.Base(p)))]
}

// Media is one media file of the articles directory, as read. A *Media is
// immutable and shared by every library that contains it: a rescan that
// finds the file unchanged returns the same pointer, so callers may cache
// what they derive from it by pointer.
type Media struct {
	// Path is the file's path relative to the articles directory, with
	// forward slashes ("2024/img/chart.png").
	Path        string
	ContentType string
	Data        []byte
	ModTime     time.Time
}

// mediaEntry is what the scanner knows about one media file.
type mediaEntry struct {
	// stat holds the size, times, inode and read time, compared with a
	// new listing exactly as for article files.
	stat    *entry
	media   *Media // nil when the file could not be read
	problem *article.ParseError
	// tooLarge reports a file refused for its size, which is not served
	// at all, rather than in its last good version.
	tooLarge bool
}

// scanMedia reads the media files that changed since the last scan, in
// parallel, and returns every servable one, sorted by path, with the
// problems of the others. A file over Options.MediaMaxBytes is reported
// and skipped without being read. A file that cannot be read keeps its
// last good version, like an article.
func (s *Scanner) scanMedia(files []fileInfo) ([]*Media, []*article.ParseError) {
	next := make(map[string]*mediaEntry, len(files))
	var toRead []fileInfo
	for _, f := range files {
		if e, ok := s.media[f.rel]; ok && e.stat.unchanged(f, s.opts.RacyWindow) {
			next[f.rel] = e
			continue
		}
		toRead = append(toRead, f)
	}
	read := make([]*mediaEntry, len(toRead))
	parallel.Each(len(toRead), func(i int) { read[i] = s.readMedia(toRead[i]) })
	for i, f := range toRead {
		e := read[i]
		if old, ok := s.media[f.rel]; ok && e.media == nil && !e.tooLarge {
			e.media = old.media // last good wins
		}
		next[f.rel] = e
	}
	s.media = next

	var media []*Media
	var problems []*article.ParseError
	for _, f := range files {
		e := next[f.rel]
		if e.media != nil {
			media = append(media, e.media)
		}
		if e.problem != nil {
			problems = append(problems, e.problem)
		}
	}
	slices.SortFunc(media, func(a, b *Media) int { return strings.Compare(a.Path, b.Path) })
	return media, problems
}

// readMedia reads one media file, refusing files over the limit.
func (s *Scanner) readMedia(f fileInfo) *mediaEntry {
	e := &mediaEntry{stat: newEntry(f)}
	problem := func(format string, args ...any) *mediaEntry {
		e.problem = &article.ParseError{Path: f.rel, Msg: fmt.Sprintf(format, args...)}
		return e
	}
	if f.err != nil {
		return problem("%v", f.err)
	}
	limit := s.opts.MediaMaxBytes
	if limit > 0 && f.size > limit {
		e.tooLarge = true
		return problem("media file is %d bytes, over the limit of %d (media.max_bytes): it is not served; shrink it or raise the limit", f.size, limit)
	}
	file, err := os.Open(s.abs(f.rel))
	if err != nil {
		return problem("cannot read file: %v; check its permissions", unwrapPathError(err))
	}
	defer file.Close()
	r := io.Reader(file)
	if limit > 0 {
		r = io.LimitReader(file, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return problem("cannot read file: %v", unwrapPathError(err))
	}
	if limit > 0 && int64(len(data)) > limit {
		e.tooLarge = true
		return problem("media file is over the limit of %d bytes (media.max_bytes): it is not served; shrink it or raise the limit", limit)
	}
	e.media = &Media{Path: f.rel, ContentType: MediaType(f.rel), Data: data, ModTime: time.Unix(0, f.modTime).UTC()}
	return e
}
