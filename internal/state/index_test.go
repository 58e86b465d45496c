package state_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/state"
)

// The id and content-key lookups follow every change, whether they were
// first asked for before or after it, and survive a save and a load.
func TestLookupsFollowChanges(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	st, err := state.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	st.SetArticle("a.txt", state.Article{ID: "a", FirstSeen: seen, ContentKey: "k1"})
	if !st.IDInUse("a") || st.IDInUse("b") {
		t.Error("IDInUse before any change after the first lookup is wrong")
	}
	st.SetArticle("b.txt", state.Article{ID: "b", FirstSeen: seen, ContentKey: "k1"})
	st.SetArticle("a.txt", state.Article{ID: "a", FirstSeen: seen, ContentKey: "k2"})
	if got := st.PathsWithContent("k1"); !slices.Equal(got, []string{"b.txt"}) {
		t.Errorf("PathsWithContent(k1) = %v, want [b.txt]", got)
	}
	st.DeleteArticle("b.txt")
	if st.IDInUse("b") || len(st.PathsWithContent("k1")) != 0 {
		t.Error("a deleted article's id and content key are still found")
	}
	if err := st.Save(); err != nil {
		t.Fatal(err)
	}
	again, err := state.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if !again.IDInUse("a") || !slices.Equal(again.PathsWithContent("k2"), []string{"a.txt"}) {
		t.Error("a loaded state does not find what was saved")
	}
}
