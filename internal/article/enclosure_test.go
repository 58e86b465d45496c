package article

import (
	"strings"
	"testing"
)

func TestParseEnclosure(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  *Enclosure
		warn  string // part of the warning; "" for none
	}{
		{"podcast", "https://example.com/ep1.mp3 12345678 audio/mpeg", &Enclosure{"https://example.com/ep1.mp3", 12345678, "audio/mpeg"}, ""},
		{"http and parameters", "http://example.com/a.ogg 0 audio/ogg;codecs=opus", &Enclosure{"http://example.com/a.ogg", 0, "audio/ogg;codecs=opus"}, ""},
		{"extra spaces", "  https://example.com/a.pdf   10\tapplication/pdf ", &Enclosure{"https://example.com/a.pdf", 10, "application/pdf"}, ""},
		{"relative URL", "/media/ep1.mp3 1 audio/mpeg", nil, "absolute http or https URL"},
		{"ftp URL", "ftp://example.com/ep1.mp3 1 audio/mpeg", nil, "absolute http or https URL"},
		{"no host", "https:///ep1.mp3 1 audio/mpeg", nil, "absolute http or https URL"},
		{"length not a number", "https://example.com/ep1.mp3 12MB audio/mpeg", nil, `bad Enclosure length "12MB"`},
		{"negative length", "https://example.com/ep1.mp3 -1 audio/mpeg", nil, "bad Enclosure length"},
		{"type without subtype", "https://example.com/ep1.mp3 1 audio", nil, `bad Enclosure type "audio"`},
		{"type odd", "https://example.com/ep1.mp3 1 audio/", nil, "bad Enclosure type"},
		{"missing type", "https://example.com/ep1.mp3 1", nil, `write "Enclosure: URL length type"`},
		{"too many fields", "https://example.com/ep 1.mp3 1 audio/mpeg", nil, `write "Enclosure: URL length type"`},
		{"empty", "", nil, `write "Enclosure: URL length type"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "Title: T\nEnclosure: " + tt.value + "\n\nBody."
			a, warnings := mustParse(t, "a.txt", text)
			switch {
			case tt.want != nil && (a.Enclosure == nil || *a.Enclosure != *tt.want):
				t.Errorf("Parse(%q).Enclosure = %+v, want %+v", text, a.Enclosure, tt.want)
			case tt.want == nil && a.Enclosure != nil:
				t.Errorf("Parse(%q).Enclosure = %+v, want none", text, a.Enclosure)
			}
			if tt.warn == "" {
				if len(warnings) > 0 {
					t.Errorf("Parse(%q) warnings = %v, want none", text, warnings)
				}
				return
			}
			if len(warnings) != 1 || warnings[0].Line != 2 || warnings[0].Severity != SeverityWarning || !strings.Contains(warnings[0].Msg, tt.warn) {
				t.Fatalf("Parse(%q) warnings = %v, want one on line 2 containing %q", text, warnings, tt.warn)
			}
			if a.Title != "T" || a.ContentHTML == "" {
				t.Errorf("Parse(%q) lost the article to a bad enclosure: %+v", text, a)
			}
		})
	}
}
