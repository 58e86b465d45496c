package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/feedpub/feedpub/internal/testcorpus"
)

// BenchmarkCheck runs feedpub check over 10,000 generated articles, as a
// writer's CI would: cold, nothing remembered.
func BenchmarkCheck(b *testing.B) {
	dir := b.TempDir()
	articles := filepath.Join(dir, "articles")
	if err := testcorpus.Write(articles, testcorpus.Generate(10_000, 1)); err != nil {
		b.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("[site]\ntitle = \"bench\"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		// The corpus has warnings and no errors; check succeeds.
		if err := run(b.Context(), []string{"check", "--config", cfg}, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
