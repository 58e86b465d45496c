package publish

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The build ID read from the test binary is the one the go command
// itself reads, and one that changes with the code.
func TestLinkerBuildIDIsTheGoCommands(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the build ID is read from ELF executables only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Fatalf("go tool buildid %s: %v", exe, err)
	}
	want := strings.TrimSpace(string(out))
	if got := linkerBuildID(exe); got != want {
		t.Errorf("linkerBuildID = %q, want %q (go tool buildid)", got, want)
	}
	if want == "" || strings.Count(want, "/") < 1 {
		t.Errorf("go tool buildid printed %q: not an ID", want)
	}
}

// A file that is not an ELF executable, or one without the note, has no
// build ID, so buildID falls back to hashing it.
func TestLinkerBuildIDOfOtherFiles(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if id := linkerBuildID(notELF); id != "" {
		t.Errorf("linkerBuildID of a shell script = %q, want none", id)
	}
	if id := linkerBuildID(filepath.Join(t.TempDir(), "missing")); id != "" {
		t.Errorf("linkerBuildID of a missing file = %q, want none", id)
	}
	if runtime.GOOS != "linux" {
		return
	}
	// Linked with an empty build ID, the note is there but empty.
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "noid")
	cmd := exec.Command("go", "build", "-ldflags=-buildid=", "-o", bin, src)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if id := linkerBuildID(bin); id != "" {
		t.Errorf("linkerBuildID of a binary linked with -buildid= is %q, want none", id)
	}
}
