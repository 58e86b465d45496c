package article

import (
	"slices"
	"testing"
	"time"
)

func TestParseHeaders(t *testing.T) {
	text := "  title  :  Hello  \n" +
		"WORD COUNT: 12\n" +
		"Author: Ada Lovelace\n" +
		"Tags: go, Feeds, , go ,feeds,Ünïcode, GO\n" +
		"Summary: A short summary.\n" +
		"Slug: héllo-wörld\n" +
		"id: urn:x-feedpub:42\n" +
		"Draft: YES\n" +
		"Lang: fr-CA\n" +
		"\n" +
		"Body."
	a, warnings := mustParse(t, "a.txt", text)
	if len(warnings) > 0 {
		t.Errorf("Parse(%q) warnings = %v, want none", text, warnings)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Title", a.Title, "Hello"},
		{"DeclaredWordCount", a.DeclaredWordCount, 12},
		{"WordCount", a.WordCount, 1},
		{"Author", a.Author, "Ada Lovelace"},
		{"Summary", a.Summary, "A short summary."},
		{"Slug", a.Slug, "héllo-wörld"},
		{"ID", a.ID, "urn:x-feedpub:42"},
		{"ExplicitID", a.ExplicitID, true},
		{"Draft", a.Draft, true},
		{"Lang", a.Lang, "fr-CA"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Parse(%q).%s = %v, want %v", text, c.name, c.got, c.want)
		}
	}
	if want := []string{"go", "Feeds", "Ünïcode"}; !slices.Equal(a.Tags, want) {
		t.Errorf("Parse(%q).Tags = %q, want %q", text, a.Tags, want)
	}
}

func TestParseDefaults(t *testing.T) {
	text := "Title: T\nBody."
	a, _ := mustParse(t, "a.txt", text)
	if a.DeclaredWordCount != -1 || a.ID != "" || a.ExplicitID || a.Slug != "" || a.Draft || a.Tags != nil ||
		a.Author != "" || a.Lang != "" || a.DateDeclared || !a.Published.IsZero() {
		t.Errorf("Parse(%q) = %+v, want every optional field at its default", text, a)
	}
}

func TestParseEmptyOptionalHeaders(t *testing.T) {
	text := "Title: T\nSummary:\nAuthor:\nTags: , ,\nLang:\nFirst.\nSecond."
	a, _ := mustParse(t, "a.txt", text)
	if a.Summary != "First." || a.Author != "" || a.Tags != nil || a.Lang != "" {
		t.Errorf("Parse(%q) = summary %q, author %q, tags %q, lang %q; want the defaults", text, a.Summary, a.Author, a.Tags, a.Lang)
	}
}

func TestParseDraft(t *testing.T) {
	for value, want := range map[string]bool{"true": true, "True": true, "yes": true, "false": false, "NO": false} {
		text := "Title: T\nDraft: " + value + "\nBody."
		if a, _ := mustParse(t, "a.txt", text); a.Draft != want {
			t.Errorf("Parse(%q).Draft = %v, want %v", text, a.Draft, want)
		}
	}
}

func TestParseHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		msg  string
	}{
		{"bad date", "Title: T\nDate: yesterday\nBody.", 2, `bad Date "yesterday": write RFC 3339`},
		{"impossible date", "Title: T\nDate: 2024-02-30\nBody.", 2, "bad Date"},
		{"empty date", "Title: T\nDate:\nBody.", 2, "bad Date"},
		{"bad updated", "Title: T\nUpdated: 2024-13-01\nBody.", 2, "bad Updated"},
		{"bad word count", "Title: T\nWord Count: many\nBody.", 2, `bad Word Count "many"`},
		{"negative word count", "Title: T\nWord Count: -3\nBody.", 2, "bad Word Count"},
		{"bad draft", "Title: T\nDraft: maybe\nBody.", 2, `write "Draft: true" or "Draft: false"`},
		{"repeated header", "Title: T\nTags: a\ntags: b\nBody.", 3, "Tags header repeated (first on line 2)"},
		{"repeated title", "Title: T\nTitle: U\nBody.", 2, "Title header repeated (first on line 1)"},
		{"slug with slash", "Title: T\nSlug: a/b\nBody.", 2, `bad Slug "a/b": '/'`},
		{"slug with question mark", "Title: T\nSlug: a?b\nBody.", 2, "bad Slug"},
		{"slug with hash", "Title: T\nSlug: a#b\nBody.", 2, "bad Slug"},
		{"slug with space", "Title: T\nSlug: a b\nBody.", 2, "bad Slug"},
		{"slug with leading dot", "Title: T\nSlug: .hidden\nBody.", 2, "must not start with a dot"},
		{"empty slug", "Title: T\nSlug:\nBody.", 2, "empty Slug"},
		{"empty id", "Title: T\nID:  \nBody.", 2, "empty ID"},
		{"id with space", "Title: T\nID: a b\nBody.", 2, `bad ID "a b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkError(t, "a.txt", tt.text, tt.line, tt.msg)
		})
	}
}

func TestParseDates(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("time zone database unavailable:", err)
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		value string
		loc   *time.Location
		want  time.Time
	}{
		{"2024-05-01T09:30:00+02:00", nil, utc("2024-05-01T07:30:00Z")},
		{"2024-05-01T09:30:00.5Z", ny, utc("2024-05-01T09:30:00.5Z")},
		{"2024-05-01t09:30:00z", nil, utc("2024-05-01T09:30:00Z")},
		{"2024-05-01 09:30:00-04:00", nil, utc("2024-05-01T13:30:00Z")},
		{"2024-05-01", nil, utc("2024-05-01T00:00:00Z")},
		{"2024-05-01", ny, utc("2024-05-01T04:00:00Z")},
		{"2024-01-15 09:30", ny, utc("2024-01-15T14:30:00Z")},
		{"2024-07-15T09:30", ny, utc("2024-07-15T13:30:00Z")},
		{"2024-07-15 09:30:15", ny, utc("2024-07-15T13:30:15Z")},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			text := "Title: T\nDate: " + tt.value + "\nUpdated: " + tt.value + "\nBody."
			a, _, err := Parse(Source{Path: "a.txt", Data: []byte(text)}, Options{Location: tt.loc})
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", text, err)
			}
			if !a.Published.Equal(tt.want) || a.Published.Location() != time.UTC || !a.DateDeclared ||
				!a.Updated.Equal(tt.want) || a.Updated.Location() != time.UTC {
				t.Errorf("Parse(%q) = %v, %v (declared %v), want %v in UTC", text, a.Published, a.Updated, a.DateDeclared, tt.want)
			}
		})
	}
}

func TestParseDateFromFileName(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("time zone database unavailable:", err)
	}
	midnightNY := time.Date(2024, 5, 1, 4, 0, 0, 0, time.UTC)
	tests := []struct {
		path     string
		text     string
		want     time.Time
		declared bool
		warn     bool
	}{
		{"2024-05-01-hello.txt", "Title: T\nBody.", midnightNY, true, false},
		{"posts/2024-05-01_hello.txt", "Title: T\nBody.", midnightNY, true, false},
		{"2024-05-01.txt", "Title: T\nBody.", midnightNY, true, false},
		{"2024-05-01 hello.TXT", "Title: T\nBody.", midnightNY, true, false},
		{"2024-05-01-hello.txt", "Title: T\nDate: 2020-01-01T00:00:00Z\nBody.", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), true, false},
		{"2024-02-30-hello.txt", "Title: T\nBody.", time.Time{}, false, true},
		{"2024-05-01hello.txt", "Title: T\nBody.", time.Time{}, false, false},
		{"2024/05/01-hello.txt", "Title: T\nBody.", time.Time{}, false, false},
		{"hello-2024-05-01.txt", "Title: T\nBody.", time.Time{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a, warnings, err := Parse(Source{Path: tt.path, Data: []byte(tt.text)}, Options{Location: ny})
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.path, err)
			}
			if !a.Published.Equal(tt.want) || a.DateDeclared != tt.declared || (len(warnings) > 0) != tt.warn {
				t.Errorf("Parse(%q) = %v (declared %v, warnings %v), want %v (declared %v, warning %v)",
					tt.path, a.Published, a.DateDeclared, warnings, tt.want, tt.declared, tt.warn)
			}
		})
	}
}

func TestParseUpdated(t *testing.T) {
	mod := time.Date(2024, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name string
		text string
		want time.Time
		warn bool
	}{
		{"falls back to modification time", "Title: T\nBody.", mod.UTC(), false},
		{"header wins", "Title: T\nUpdated: 2024-07-01\nBody.", time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), false},
		{"modification time before Date", "Title: T\nDate: 2024-08-01\nBody.", time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC), false},
		{"header before Date", "Title: T\nDate: 2024-08-01\nUpdated: 2024-07-01\nBody.", time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, warnings, err := Parse(Source{Path: "a.txt", Data: []byte(tt.text), ModTime: mod}, Options{})
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.text, err)
			}
			if !a.Updated.Equal(tt.want) || a.Updated.Location() != time.UTC || (len(warnings) > 0) != tt.warn {
				t.Errorf("Parse(%q).Updated = %v (warnings %v), want %v UTC (warning %v)", tt.text, a.Updated, warnings, tt.want, tt.warn)
			}
			if !a.ModTime.Equal(mod) || a.ModTime.Location() != time.UTC {
				t.Errorf("Parse(%q).ModTime = %v, want %v in UTC", tt.text, a.ModTime, mod)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		text string
		want Status
	}{
		{"Title: T\nBody.", Published},
		{"Title: T\nDate: 2024-06-01T12:00:00Z\nBody.", Published},
		{"Title: T\nDate: 2024-06-01T12:00:01Z\nBody.", Scheduled},
		{"Title: T\nDate: 2030-01-01\nBody.", Scheduled},
		{"Title: T\nDate: 2030-01-01\nDraft: true\nBody.", Draft},
		{"Title: T\nDraft: yes\nBody.", Draft},
		{"Title: T\nDraft: false\nBody.", Published},
	}
	for _, tt := range tests {
		a, _ := mustParse(t, "a.txt", tt.text)
		if got := a.Status(now); got != tt.want {
			t.Errorf("Parse(%q).Status(%v) = %v, want %v", tt.text, now, got, tt.want)
		}
	}
}
