package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestCheckGolden runs check over testdata/check, a corpus with one file
// per problem check knows, and compares its report with the golden files.
// Paths in the report are as the user typed them: the config's directory
// joined with the articles directory and the file's path in it.
func TestCheckGolden(t *testing.T) {
	cfg := filepath.Join("testdata", "check", "config.toml")
	for _, tt := range []struct{ format, golden string }{
		{"text", "report.golden"},
		{"json", "report.json.golden"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			out, stderr, err := runCLI(t, "check", "--config", cfg, "--format", tt.format)
			exit, ok := err.(exitError)
			if !ok || exit.code != 1 {
				t.Fatalf("check = %v, want exit status 1 for the errors\n%s", err, stderr)
			}
			if tt.format == "json" {
				var problems []problem
				if err := json.Unmarshal([]byte(out), &problems); err != nil || len(problems) == 0 {
					t.Fatalf("check --format json printed %d problems, %v:\n%s", len(problems), err, out)
				}
			}
			golden := filepath.Join("testdata", "check", tt.golden)
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("check --format %s differs from %s (run with -update to accept):\n%s", tt.format, golden, out)
			}
		})
	}
	if _, err := os.Stat(filepath.Join("testdata", "check", ".feedpub")); err == nil {
		t.Error("check wrote a state file into testdata; it must only look")
	}
}

func TestCheckExitStatus(t *testing.T) {
	warningOnly := map[string]string{"a.txt": "Title: A\n\nNo date.\n"}
	clean := map[string]string{"2024-01-01-a.md": "# A\n\nDated by its name.\n"}
	tests := []struct {
		name     string
		articles map[string]string
		args     []string
		code     int // 0 for success
	}{
		{"warnings pass", warningOnly, nil, 0},
		{"warnings fail with --strict", warningOnly, []string{"--strict"}, 1},
		{"clean passes --strict", clean, []string{"--strict"}, 0},
		{"bad format", clean, []string{"--format", "xml"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := project(t, tt.articles)
			_, _, err := runCLI(t, append([]string{"check", "--config", cfg}, tt.args...)...)
			code := 0
			if err != nil {
				exit, ok := err.(exitError)
				if !ok {
					t.Fatalf("check = %v", err)
				}
				code = exit.code
			}
			if code != tt.code {
				t.Errorf("check %q exited %d (%v), want %d", tt.args, code, err, tt.code)
			}
		})
	}
}
