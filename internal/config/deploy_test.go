package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadDeployAndUndated(t *testing.T) {
	c := mustLoad(t, "[articles]\nundated = \"git\"\n[deploy]\ntarget = \"s3://b/p?region=auto\"\ngzip = true\ndirectory_keys = true\npage_max_age = \"2m\"\nmedia_max_age = \"24h\"\n")
	want := Deploy{Target: "s3://b/p?region=auto", Gzip: true, DirectoryKeys: true, PageMaxAge: Duration{2 * time.Minute}, MediaMaxAge: Duration{24 * time.Hour}}
	if c.Deploy != want || c.Articles.Undated != "git" {
		t.Errorf("loaded %+v, undated %q; want %+v, git", c.Deploy, c.Articles.Undated, want)
	}
	if d := Default(); d.Deploy.PageMaxAge.Duration != time.Minute || d.Deploy.MediaMaxAge.Duration != time.Hour || d.Deploy.Gzip || d.Articles.Undated != "first_seen" {
		t.Errorf("defaults: %+v, undated %q", d.Deploy, d.Articles.Undated)
	}
	for _, c := range []struct{ text, want string }{
		{"[articles]\nundated = \"ctime\"\n", `config.toml:2: articles.undated: must be "first_seen", "git" or "mtime", not "ctime"`},
		{"[deploy]\ntarget = \"https://b\"\n", `config.toml:2: deploy.target: must be an s3:// URL`},
		{"[deploy]\n\npage_max_age = \"-1s\"\n", `config.toml:3: deploy.page_max_age: must not be negative`},
	} {
		_, err := Load(writeConfig(t, c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%q) = %v, want an error containing %q", c.text, err, c.want)
		}
	}
}
