// Command gencorpus writes a generated articles directory, the same on
// every run for the same count and seed, for load tests and benchmarks:
//
//	go run ./scripts/gencorpus -n 1000 -out /tmp/articles
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/feedpub/feedpub/internal/testcorpus"
)

func main() {
	n := flag.Int("n", 1000, "number of articles")
	seed := flag.Int64("seed", 1, "generator seed")
	out := flag.String("out", "", "articles `directory` to write (required)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := testcorpus.Write(*out, testcorpus.Generate(*n, *seed)); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}
