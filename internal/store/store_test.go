package store_test

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/store"
)

func TestPutGetKeep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	st := store.Open(dir)
	a, err := st.Put([]byte("first body"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Put([]byte("second body"))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := st.Put([]byte("first body")); err != nil || again != a {
		t.Fatalf("Put of the same bytes again: %q, %v; want %q", again, err, a)
	}
	if a != store.Name([]byte("first body")) || a == b {
		t.Fatalf("names %q and %q: want the hashes of the bodies", a, b)
	}
	if got, err := st.Get(a); err != nil || string(got) != "first body" {
		t.Fatalf("Get(%s) = %q, %v", a, got, err)
	}
	// Something else in the directory, such as a manifest, stays.
	other := filepath.Join(dir, "manifest.json")
	if err := os.WriteFile(other, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := st.Keep(map[string]bool{b: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(a); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Get of a file Keep did not keep: %v; want it gone", err)
	}
	if _, err := st.Get(b); err != nil {
		t.Errorf("Get of a kept file: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("Keep removed a file that is not stored bytes: %v", err)
	}
}

// TestCorruptFilesAreNotReturned holds that stored bytes are checked
// against their name: a file changed or cut short on disk is an error,
// and a name that is not a hash opens nothing.
func TestCorruptFilesAreNotReturned(t *testing.T) {
	dir := t.TempDir()
	st := store.Open(dir)
	name, err := st.Put([]byte("the bytes that were stored"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(st.Path(name), []byte("the bytes that were"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Get(name); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Get of a truncated file = %q, %v; want ErrCorrupt", got, err)
	}
	// Put mends it: the size no longer matches.
	if _, err := st.Put([]byte("the bytes that were stored")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(name); err != nil {
		t.Errorf("Get after Put wrote the file again: %v", err)
	}
	for _, bad := range []string{"../state.json", "manifest.json", ""} {
		if _, err := st.Get(bad); err == nil {
			t.Errorf("Get(%q) succeeded; want an error", bad)
		}
	}
}

// TestPutAs holds that bytes stored under a name the caller chose (half a
// SHA-256, as an ETag holds) come back as they were, unchecked, that
// ReplaceAs, unlike PutAs, writes over a file of the same size, and that
// Keep treats them as stored bytes.
func TestPutAs(t *testing.T) {
	st := store.Open(t.TempDir())
	name := "0123456789abcdef0123456789abcdef"
	if err := st.PutAs(name, []byte("variant")); err != nil {
		t.Fatal(err)
	}
	if got, err := st.ReadAs(name); err != nil || string(got) != "variant" {
		t.Errorf("ReadAs = %q, %v", got, err)
	}
	if err := st.PutAs("../elsewhere", []byte("x")); err == nil {
		t.Error("PutAs took a name that is not a hash")
	}
	// Damaged in place, its size kept: PutAs keeps the file, ReplaceAs
	// writes it again.
	if err := os.WriteFile(st.Path(name), []byte("vXriant"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := st.PutAs(name, []byte("variant")); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.ReadAs(name); string(got) != "vXriant" {
		t.Errorf("PutAs over a file of the same size: %q; want it left as it was", got)
	}
	if err := st.ReplaceAs(name, []byte("variant")); err != nil {
		t.Fatal(err)
	}
	if got, err := st.ReadAs(name); err != nil || string(got) != "variant" {
		t.Errorf("ReplaceAs over a damaged file: ReadAs = %q, %v; want %q", got, err, "variant")
	}
	if err := st.ReplaceAs("../elsewhere", []byte("x")); err == nil {
		t.Error("ReplaceAs took a name that is not a hash")
	}
	if err := st.Keep(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReadAs(name); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Keep(nil), ReadAs: %v; want it gone", err)
	}
}

// KeepSince leaves what was written or put again since its time, as a
// build running beside a collection stores it: new files, and old ones
// it finds there.
func TestKeepSinceLeavesWhatABuildStores(t *testing.T) {
	st := store.Open(t.TempDir())
	old, err := st.Put([]byte("an old page"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.Put([]byte("an old page a build puts again"))
	if err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-time.Hour)
	for _, name := range []string{old, again} {
		if err := os.Chtimes(st.Path(name), long, long); err != nil {
			t.Fatal(err)
		}
	}
	since := time.Now().Add(-time.Minute)
	if _, err := st.Put([]byte("an old page a build puts again")); err != nil {
		t.Fatal(err)
	}
	fresh, err := st.Put([]byte("a page a build writes"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.KeepSince(nil, since); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file older than since and not kept is still there: %v", err)
	}
	for _, name := range []string{again, fresh} {
		if _, err := st.Get(name); err != nil {
			t.Errorf("a file written or put since was removed: %v", err)
		}
	}
}

// TestPutHashedSaysWhetherItWrote holds that PutHashed reports writing a
// new file, and a file of another size that it replaced, but not a file
// of the right size that it kept unread; and that a replaced file gets
// the permissions a new one does (os.WriteFile's), not a temporary
// file's 0600: build links its output to these files.
func TestPutHashedSaysWhetherItWrote(t *testing.T) {
	st := store.Open(filepath.Join(t.TempDir(), "store"))
	body := []byte("a page")
	sum := sha256.Sum256(body)
	name, wrote, err := st.PutHashed(body, sum)
	if err != nil || !wrote {
		t.Fatalf("PutHashed of new bytes = %v, %v; want written", wrote, err)
	}
	fresh, err := os.Stat(st.Path(name))
	if err != nil {
		t.Fatal(err)
	}
	if _, wrote, err := st.PutHashed(body, sum); err != nil || wrote {
		t.Errorf("PutHashed of bytes stored already = %v, %v; want the file kept", wrote, err)
	}
	if err := os.WriteFile(st.Path(name), []byte("cut"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(st.Path(name), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, wrote, err := st.PutHashed(body, sum); err != nil || !wrote {
		t.Errorf("PutHashed over a file of another size = %v, %v; want it written again", wrote, err)
	}
	if got, err := st.Get(name); err != nil || string(got) != string(body) {
		t.Errorf("after the file was replaced, Get = %q, %v", got, err)
	}
	if replaced, err := os.Stat(st.Path(name)); err != nil || replaced.Mode() != fresh.Mode() {
		t.Errorf("the replaced file has mode %v; want %v, a new file's", replaced.Mode(), fresh.Mode())
	}
}
