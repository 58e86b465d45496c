package watch_test

import (
	"os"
	"slices"
	"testing"
)

// TestMediaEventsRebuild holds that adding, changing and deleting a media
// file beside the articles triggers a rebuild, as an article file does.
func TestMediaEventsRebuild(t *testing.T) {
	s := newSite(t, siteOptions{files: map[string]string{"a.txt": text("A")}})
	served := func() []string {
		var paths []string
		for _, m := range s.pub.Library().Media {
			paths = append(paths, m.Path+"="+string(m.Data))
		}
		return paths
	}
	s.write("img/chart.png", "one")
	s.waitFor("the new image", func() bool { return slices.Equal(served(), []string{"img/chart.png=one"}) })
	replaceFile(t, s.path("img/chart.png"), "two")
	s.waitFor("the changed image", func() bool { return slices.Equal(served(), []string{"img/chart.png=two"}) })
	must(t, os.Remove(s.path("img/chart.png")))
	s.waitFor("the image to go", func() bool { return len(served()) == 0 })
}
