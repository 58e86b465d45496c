package config

import "testing"

func TestMarkdownAndMedia(t *testing.T) {
	def := Default()
	if def.Markdown.UnsafeHTML || def.Media.MaxBytes != 20<<20 {
		t.Errorf("Default() Markdown %+v, Media %+v; want unsafe_html false, max_bytes 20 MiB", def.Markdown, def.Media)
	}
	c := mustLoad(t, "[markdown]\nunsafe_html = true\n[media]\nmax_bytes = 1024\n")
	if !c.Markdown.UnsafeHTML || c.Media.MaxBytes != 1024 {
		t.Errorf("Load() Markdown %+v, Media %+v; want the file's values", c.Markdown, c.Media)
	}
}

func TestMarkdownAndMediaProblems(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{"unsafe_html type", "[markdown]\nunsafe_html = \"yes\"\n", want{2, "markdown.unsafe_html", "must be true or false"}},
		{"unknown markdown key", "[markdown]\nsmartypants = true\n", want{2, "markdown.smartypants", "[markdown] takes unsafe_html"}},
		{"max_bytes zero", "[media]\n\nmax_bytes = 0\n", want{3, "media.max_bytes", "positive number of bytes"}},
		{"max_bytes negative", "[media]\nmax_bytes = -1\n", want{2, "media.max_bytes", "positive number of bytes"}},
		{"feed under /media/", "[feeds]\nrss_path = \"/media/rss.xml\"\n", want{2, "feeds.rss_path", "/media/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.text, tt.want)
		})
	}
}
