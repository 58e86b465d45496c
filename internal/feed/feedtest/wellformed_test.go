package feedtest

import (
	"strconv"
	"strings"
	"testing"
)

func TestCheckXML(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		line int // 0: the document is well-formed
	}{
		{"ok", "<?xml version=\"1.0\"?>\n<a>\n  <b>x</b>\n</a>\n", 0},
		{"unclosed", "<a>\n<b>\n</a>\n", 3},
		{"bad entity", "<a>\n\n&nope;</a>", 3},
		{"bare ampersand", "<a>\n x & y</a>", 2},
		{"control character", "<a>\n\n\n\x01</a>", 4},
		{"invalid UTF-8", "<a>\n\xff</a>", 2},
		{"two roots", "<a/>\n<b/>", 2},
		{"text after root", "<a/>\nx", 2},
		{"empty", "", 1},
		{"truncated", "<a>\n<b>", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckXML([]byte(tc.doc))
			if tc.line == 0 {
				if err != nil {
					t.Errorf("CheckXML(%q) = %v, want nil", tc.doc, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckXML(%q) = nil, want an error on line %d", tc.doc, tc.line)
			}
			if want := "line " + strconv.Itoa(tc.line); !strings.Contains(err.Error(), want) {
				t.Errorf("CheckXML(%q) = %v, want it to name %s", tc.doc, err, want)
			}
		})
	}
}
