package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/publish"
)

func checkCommand() command {
	return command{name: "check", run: runCheck}
}

// runCheck prints every problem in the config and the articles, one per
// line as "path:line: error|warning: message", and fails if any is an error.
func runCheck(_ context.Context, e *env) error {
	cfg, err := e.loadConfig()
	if err != nil {
		fmt.Fprintln(e.stdout, err)
		return exitError{code: 1}
	}
	p, err := publish.New(cfg, publish.Options{Logger: slog.New(slog.DiscardHandler), ReadOnlyState: true})
	if err != nil {
		fmt.Fprintln(e.stdout, err)
		return exitError{code: 1}
	}
	res, err := p.Rebuild()
	if err != nil {
		fmt.Fprintln(e.stdout, err)
		return exitError{code: 1}
	}
	errs := 0
	// The site's warnings (tag spellings sharing a page) point at
	// articles too, so they are listed with the library's, by file.
	problems := slices.Concat(p.Library().Problems, res.Problems)
	slices.SortStableFunc(problems, func(a, b *article.ParseError) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
	})
	for _, prob := range problems {
		shown := *prob
		shown.Path = filepath.Join(cfg.Articles.Dir, filepath.FromSlash(prob.Path))
		fmt.Fprintln(e.stdout, shown.Report())
		if prob.Severity == article.SeverityError {
			errs++
		}
	}
	if errs > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d errors", errs)}
	}
	fmt.Fprintf(e.stderr, "ok: %d articles published\n", res.Articles)
	return nil
}
