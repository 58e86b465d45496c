package feed

import (
	"testing"

	"github.com/feedpub/feedpub/internal/feed/feedtest"
)

// TestValidators runs the external validators (xmllint, jing with the
// RFC 4287 schema, feedparser) and the JSON Feed checks over the golden
// corpus, over a feed full of characters XML forbids and over an archive
// page with hubs and enclosures.
func TestValidators(t *testing.T) {
	feeds := []struct {
		name string
		feed func() *Feed
	}{
		{"sample", sampleFeed},
		{"empty", emptyFeed},
		{"hostile", hostileFeed},
		{"archive", archiveFeed},
	}
	validators := []struct {
		name     string
		render   func(*Feed) ([]byte, error)
		validate func(testing.TB, []byte)
	}{
		{"RSS", RSS, feedtest.ValidateRSS},
		{"Atom", Atom, feedtest.ValidateAtom},
		{"JSON", JSON, feedtest.ValidateJSON},
	}
	for _, f := range feeds {
		for _, v := range validators {
			t.Run(f.name+"/"+v.name, func(t *testing.T) {
				doc, err := v.render(f.feed())
				if err != nil {
					t.Fatal(err)
				}
				v.validate(t, doc)
			})
		}
	}
}
