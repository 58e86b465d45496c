package library

import (
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/parallel"
)

// ScanFront is a first look at the articles directory for a start that
// has nothing to serve yet: it reads the header block of every article
// (article.ParseHeader) and the whole of the newest published ones, so
// that the documents needing only those (the feeds, the index) can be
// served long before a Scan of a large directory is over. Of the
// corpus's 3 KB articles, a header takes a third of the time of the
// whole. It returns nil when the scanner has read or loaded its cache
// already (Scan then reads only what changed), and when the directory
// holds fewer than minFiles articles.
//
// Its library is only for those documents: its other articles have no
// body, bio, word count, content key or derived summary. Their ids and
// dates are those Scan gives them, and are recorded in the state as Scan
// records them (an article new to the state is read whole when it may be
// a renamed one, whose id its content gives). It reports no problems and
// keeps nothing but its listing, which the next scan takes instead of
// walking again: that Scan, which the caller must make, reads every file
// whole and reports what is wrong.
func (s *Scanner) ScanFront(newest, minFiles int, now time.Time) (*Library, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) > 0 || s.listing != nil || s.frontListing != nil {
		return nil, nil
	}
	listing, err := listFiles(s.opts.Dir)
	if err != nil {
		return nil, err
	}
	s.frontListing = listing
	files := listing.files
	if len(files) < minFiles {
		return nil, nil
	}
	media, _ := s.scanMedia(listing.media)
	whole := s.mayBeRenamed(files)
	entries := s.readHeaders(files, whole)
	// Identities and duplicates as Scan settles them, on a cache of
	// these entries, put back empty after.
	empty := s.cache
	s.cache = make(map[string]*entry, len(files))
	for i, f := range files {
		s.cache[f.rel] = entries[i]
	}
	s.assignIdentities(files, nil)
	pub, _ := s.publish(files, nil, files, nil)
	lib := &Library{Articles: pub.articles, Media: media, scanner: s, visible: pub.visible, derived: true}
	s.readNewestWhole(lib, newest, now, whole)
	s.cache, s.published = empty, nil
	return lib, nil
}

// readHeaders reads the header of each file, on every core, but of
// those in whole, which it reads whole.
func (s *Scanner) readHeaders(files []fileInfo, whole map[string]bool) []*entry {
	entries := make([]*entry, len(files))
	s.opts.Progress.Begin("reading articles' headers", len(files))
	parallel.Each(len(files), func(i int) {
		parse := parseFunc(article.ParseHeader)
		if whole[files[i].rel] {
			parse = s.parseWhole()
		}
		entries[i], _ = s.readWith(files[i], parse)
		s.opts.Progress.Add(1)
	})
	return entries
}

// mayBeRenamed returns the files whose article Scan may give the id of
// a remembered one that is gone, by its content: those the state does
// not know, when it remembers a path that is not listed.
func (s *Scanner) mayBeRenamed(files []fileInfo) map[string]bool {
	var unknown []string
	for _, f := range files {
		if _, known := s.opts.State.Article(f.rel); !known {
			unknown = append(unknown, f.rel)
		}
	}
	whole := map[string]bool{}
	if s.opts.State.Len() > len(files)-len(unknown) {
		for _, rel := range unknown {
			whole[rel] = true
		}
	}
	return whole
}

// readNewestWhole reads again, whole, the newest published articles of
// lib that were read for their header alone, and puts them in its lists
// in their place (the same, since the header gives the order). The
// cache holds ScanFront's entries, so their identities are the ones
// assigned already.
func (s *Scanner) readNewestWhole(lib *Library, newest int, now time.Time, whole map[string]bool) {
	published := lib.Published(now)
	if newest > 0 {
		published = published[:min(newest, len(published))]
	}
	parse := s.parseWhole()
	replaced := map[*article.Article]*article.Article{}
	ids := newIDSet(s.opts.State)
	for _, a := range published {
		if whole[a.Path] {
			continue
		}
		e, _ := s.readWith(fileInfo{rel: a.Path, fileStat: s.cache[a.Path].stat}, parse)
		if e.current == nil {
			continue // changed since: the Scan that follows sees it
		}
		s.assign(e.current, ids, nil, goneSet{})
		replaced[a] = e.current
	}
	for i, a := range lib.Articles {
		if w := replaced[a]; w != nil {
			lib.Articles[i] = w
		}
	}
	lib.visible, lib.inMemory = derive(lib.Articles)
}

// ScanHanding is Scan handing each body it drops (Options.BodiesOnDisk)
// to hand, from the goroutine that read it, with the article as it will
// be once the scan assigns its identity: a caller that needs every body
// once, such as a first start rendering every article page, need not
// read and parse each file again. Only articles whose path the state
// remembers are handed over, since the identity of the others is
// settled only once every file is read; hand must be safe to call from
// several goroutines, and must not keep the article, which is a copy.
func (s *Scanner) ScanHanding(hand func(a *article.Article, html string)) (*Library, Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handBody = hand
	defer func() { s.handBody = nil }()
	return s.scanLocked(time.Now(), s.walk)
}

// parseHanding is article.ParseDroppingBody for ScanHanding: it parses
// the body into HTML, hands that over and drops it.
func (s *Scanner) parseHanding(src article.Source, opts article.Options) (*article.Article, []*article.ParseError, error) {
	a, warnings, err := article.Parse(src, opts)
	if err != nil {
		return a, warnings, err
	}
	html := a.ContentHTML
	if a.DropBody() {
		if c := s.asRemembered(a); c != nil {
			s.handBody(c, html)
		}
	}
	return a, warnings, nil
}
