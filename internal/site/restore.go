package site

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/feedpub/feedpub/internal/store"
)

// A restart should not make readers wait for every article to be read
// again: at 100,000 articles that takes seconds. So after each swap the
// front documents of the snapshot (the feeds, the index, the OPML list,
// the stylesheets and the 404 page: those Builder.BuildFeedsFirst serves
// first) go into a content-addressed store with a manifest naming them,
// and the next start serves them from there at once, before it reads the
// articles. The first build then replaces them with what the articles say
// now, which is the same bytes unless files changed while feedpub was
// stopped. Every stored body is checked against its hash when restored;
// anything missing, corrupt or written for another configuration means no
// restore, and the start goes the usual way.

// manifestName is the manifest's file name in the store's directory.
const manifestName = "manifest.json"

// manifestVersion changes whenever the manifest or the documents' headers
// change meaning, so that an older manifest is not restored.
const manifestVersion = 1

type manifest struct {
	Version int `json:"version"`
	// Key identifies the configuration the documents were rendered with.
	Key           string       `json:"key"`
	BuiltAt       time.Time    `json:"built_at"`
	Articles      int          `json:"articles"`
	Errors        int          `json:"errors"`
	NextScheduled time.Time    `json:"next_scheduled,omitzero"`
	NotFound      *storedDoc   `json:"not_found"`
	Documents     []*storedDoc `json:"documents"`
}

// storedDoc is a Document with its body and gzip variant in the store.
type storedDoc struct {
	Path string `json:"path"`
	Body string `json:"body"`
	Gzip string `json:"gzip,omitempty"`
	// Size and GzipSize are the sizes of the files, in the index of
	// pages (pageindex.go), which does not read them.
	Size                  int64      `json:"size,omitempty"`
	GzipSize              int64      `json:"gzip_size,omitempty"`
	ContentType           string     `json:"content_type"`
	Kind                  Kind       `json:"kind"`
	LastModified          time.Time  `json:"last_modified"`
	LinkHeader            string     `json:"link,omitempty"`
	Topic                 string     `json:"topic,omitempty"`
	ContentSecurityPolicy string     `json:"csp,omitempty"`
	View                  *storedDoc `json:"view,omitempty"`
}

// FrontKey returns what identifies snap's front documents: their paths
// and ETags, compressed or not. A caller saves the front again only when
// it changed.
func (s *Snapshot) FrontKey() string {
	key := s.NotFound.ETag + gzipState(s.NotFound)
	for _, p := range s.front {
		d := s.Lookup(p)
		key += "\n" + p + " " + d.ETag + gzipState(d) + d.LastModified.String()
		if d.View != nil {
			key += " " + d.View.ETag + gzipState(d.View)
		}
	}
	return key
}

func gzipState(d *Document) string {
	if d.Gzip() == nil {
		return ""
	}
	return "+gz"
}

// SaveFront writes snap's front documents into st with a manifest for
// RestoreFront, under key (the configuration they were rendered with),
// and removes the stored files the manifest no longer names. snap must be
// complete, and compressed if the restart is to serve gzip at once.
func SaveFront(st *store.Store, key string, snap *Snapshot) error {
	keep := map[string]bool{}
	save := func(d *Document) (*storedDoc, error) { return saveDoc(st, d, keep) }
	notFound, err := save(snap.NotFound)
	if err != nil {
		return err
	}
	m := manifest{
		Version: manifestVersion, Key: key, BuiltAt: snap.BuiltAt,
		Articles: snap.Articles, Errors: snap.Errors, NextScheduled: snap.NextScheduled,
		NotFound: notFound,
	}
	for _, p := range snap.front {
		sd, err := save(snap.Lookup(p))
		if err != nil {
			return err
		}
		m.Documents = append(m.Documents, sd)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(filepath.Join(st.Dir(), manifestName), data); err != nil {
		return err
	}
	return st.Keep(keep)
}

func saveDoc(st *store.Store, d *Document, keep map[string]bool) (*storedDoc, error) {
	sd := &storedDoc{
		Path: d.Path, ContentType: d.ContentType, Kind: d.Kind, LastModified: d.LastModified,
		LinkHeader: d.LinkHeader, Topic: d.Topic, ContentSecurityPolicy: d.ContentSecurityPolicy,
	}
	body, err := d.Bytes()
	if err != nil {
		return nil, err
	}
	if sd.Body, err = st.Put(body); err != nil {
		return nil, err
	}
	keep[sd.Body] = true
	if gz := d.Gzip(); gz != nil {
		data, err := gz.Bytes()
		if err != nil {
			return nil, err
		}
		if sd.Gzip, err = st.Put(data); err != nil {
			return nil, err
		}
		keep[sd.Gzip] = true
	}
	if d.View != nil {
		if sd.View, err = saveDoc(st, d.View, keep); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// ErrNoFront is returned by RestoreFront when the store has no manifest,
// or one written by another configuration or version of feedpub.
var ErrNoFront = errors.New("no saved documents for this configuration")

// RestoreFront returns the snapshot of the front documents SaveFront
// saved under key, as generation 1: complete for no path but those, every
// other path answering as still rendering. Every body is checked against
// its hash; a missing or corrupt one is an error, and nothing is restored.
func RestoreFront(st *store.Store, key string) (*Snapshot, error) {
	data, err := os.ReadFile(filepath.Join(st.Dir(), manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoFront
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(st.Dir(), manifestName), err)
	}
	if m.Version != manifestVersion || m.Key != key || m.NotFound == nil {
		return nil, ErrNoFront
	}
	snap := &Snapshot{
		Generation: 1, BuiltAt: m.BuiltAt, Articles: m.Articles, Errors: m.Errors,
		NextScheduled: m.NextScheduled, docs: map[string]*Document{}, restored: true,
	}
	if snap.NotFound, err = restoreDoc(st, m.NotFound); err != nil {
		return nil, err
	}
	for _, sd := range m.Documents {
		d, err := restoreDoc(st, sd)
		if err != nil {
			return nil, err
		}
		if d.Path == "" || snap.docs[d.Path] != nil {
			return nil, fmt.Errorf("%s: bad or repeated path %q", filepath.Join(st.Dir(), manifestName), d.Path)
		}
		snap.docs[d.Path] = d
		snap.front = append(snap.front, d.Path)
	}
	slices.Sort(snap.front)
	return snap, nil
}

func restoreDoc(st *store.Store, sd *storedDoc) (*Document, error) {
	body, err := st.Get(sd.Body)
	if err != nil {
		return nil, err
	}
	d := newDocument(sd.Path, sd.ContentType, sd.Kind, body)
	d.LastModified, d.LinkHeader, d.Topic, d.ContentSecurityPolicy = sd.LastModified, sd.LinkHeader, sd.Topic, sd.ContentSecurityPolicy
	if sd.Gzip != "" {
		gz, err := st.Get(sd.Gzip)
		if err != nil {
			return nil, err
		}
		d.gzip.Store(&Encoded{Body: gz, of: d})
	}
	if sd.View != nil {
		if d.View, err = restoreDoc(st, sd.View); err != nil {
			return nil, err
		}
	}
	return d, nil
}
