package deploy

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Target
		err  string
	}{
		{in: "s3://bucket", want: Target{Bucket: "bucket"}},
		{in: "s3://bucket/", want: Target{Bucket: "bucket"}},
		{in: "s3://bucket/blog/en?region=eu-west-1", want: Target{Bucket: "bucket", Prefix: "blog/en/", Region: "eu-west-1"}},
		{
			in:   "s3://site?endpoint=https://acct.r2.cloudflarestorage.com&region=auto&path_style=true",
			want: Target{Bucket: "site", Endpoint: "https://acct.r2.cloudflarestorage.com", Region: "auto", PathStyle: true},
		},
		{in: "https://bucket", err: "want s3://BUCKET"},
		{in: "s3:///prefix", err: "want s3://BUCKET"},
		{in: "s3://b?endpoint=storage.googleapis.com", err: "endpoint must be an http(s) URL"},
		{in: "s3://b?path_style=yes", err: "path_style must be true or false"},
		{in: "s3://b?regoin=x", err: `unknown parameter "regoin"`},
	} {
		got, err := ParseTarget(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseTarget(%q) error = %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}
