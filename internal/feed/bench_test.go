package feed

import "testing"

// Benchmarks render a 20-item feed of about 3 KB articles, the size of a
// typical feed page.
func BenchmarkRSS(b *testing.B)  { benchmark(b, RSS) }
func BenchmarkAtom(b *testing.B) { benchmark(b, Atom) }
func BenchmarkJSON(b *testing.B) { benchmark(b, JSON) }

func benchmark(b *testing.B, render func(*Feed) ([]byte, error)) {
	f := benchFeed(20)
	out, err := render(f)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render(f); err != nil {
			b.Fatal(err)
		}
	}
}
