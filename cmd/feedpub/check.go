package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
)

// checkOptions are check's own flags.
type checkOptions struct {
	format string // "text" or "json"
	strict bool   // warnings fail too
}

func checkCommand() command {
	var opts checkOptions
	return command{
		name:     "check",
		summary:  "report every problem in config.toml and the articles",
		synopsis: "feedpub check [--format text|json] [--strict] [--config FILE] [--articles DIR]",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&opts.format, "format", "text", "output `format`: text (path:line: severity: message) or json")
			fs.BoolVar(&opts.strict, "strict", false, "exit with status 1 on warnings too")
		},
		run: func(_ context.Context, e *env) error {
			if opts.format != "text" && opts.format != "json" {
				return usageError("check --format must be text or json, not %q", opts.format)
			}
			return runCheck(e, opts)
		},
	}
}

// problem is one line of check's report, and one object of its JSON.
type problem struct {
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// runCheck reports every problem in the config and the articles, for
// writers and their CI: what stops an article from being published
// (errors) and what is probably not what the writer meant (warnings, see
// article.Lint). It reads the articles as the server does but renders
// nothing and never writes the state file, so it is fast and safe to run
// beside a running server. It fails when there are errors, or with
// --strict any problem.
func runCheck(e *env, opts checkOptions) error {
	problems, published, err := collectProblems(e, time.Now())
	if err != nil {
		return err
	}
	if err := writeProblems(e.stdout, opts.format, problems); err != nil {
		return err
	}
	errs, warnings := 0, 0
	for _, p := range problems {
		if p.Severity == article.SeverityError.String() {
			errs++
		} else {
			warnings++
		}
	}
	switch {
	case errs > 0:
		return exitError{code: 1, msg: fmt.Sprintf("%d errors, %d warnings", errs, warnings)}
	case opts.strict && warnings > 0:
		return exitError{code: 1, msg: fmt.Sprintf("%d warnings (--strict)", warnings)}
	}
	fmt.Fprintf(e.stderr, "ok: %d articles published, %d warnings\n", published, warnings)
	return nil
}

// collectProblems returns the problems of the config or, when it is valid,
// of the articles, sorted by path and line, and the number of articles
// published now. Only a directory that cannot be read at all is an error.
func collectProblems(e *env, now time.Time) ([]problem, int, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		var cerr *config.Error
		if !errors.As(err, &cerr) {
			return nil, 0, err
		}
		return configProblems(cerr), 0, nil
	}
	// A state file that cannot be read only costs remembered ids: the
	// articles are checked all the same.
	st, _ := state.LoadReadOnly(cfg.State.File)
	opts := publish.LibraryOptions(cfg)
	opts.State = st
	opts.Now = func() time.Time { return now }
	if opts.History, err = publish.OpenHistory(cfg); err != nil {
		return nil, 0, err
	}
	scanner := library.NewScanner(opts)
	lib, _, err := scanner.Scan()
	if err != nil {
		return nil, 0, err
	}
	builder, err := site.NewBuilder(cfg, st)
	if err != nil {
		return nil, 0, err
	}

	var found []*article.ParseError
	for _, p := range lib.Problems {
		found = append(found, &article.ParseError{Path: p.Path, Line: p.Line, Severity: article.CheckSeverity(p), Msg: p.Msg})
	}
	// A fresh scanner keeps no last good versions, so every article is
	// the file as it is now.
	for _, a := range lib.Articles {
		found = append(found, datingProblems(scanner, opts.Undated, article.Lint(a, now))...)
	}
	found = append(found, builder.Problems(lib, now)...)
	slices.SortStableFunc(found, func(a, b *article.ParseError) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Severity, b.Severity))
	})
	problems := make([]problem, len(found))
	for i, p := range found {
		problems[i] = problem{
			Path:     displayPath(filepath.Join(cfg.Articles.Dir, filepath.FromSlash(p.Path))),
			Line:     p.Line,
			Severity: p.Severity.String(),
			Message:  p.Msg,
		}
	}
	return problems, len(lib.Published(now)), nil
}

// datingProblems returns the lint problems ps of one article with the
// warning that it declares no date told as [articles] undated dates it:
// with "git", none for a committed file and, for an uncommitted one, that
// it is dated by first sight until committed; with "mtime", that the
// modification time dates it.
func datingProblems(scanner *library.Scanner, undated library.Undated, ps []*article.ParseError) []*article.ParseError {
	out := ps[:0]
	for _, p := range ps {
		if !errors.Is(p.Err, article.ErrNoDate) {
			out = append(out, p)
			continue
		}
		switch undated {
		case library.UndatedGit:
			if _, ok := scanner.Committed(p.Path); ok {
				continue
			}
			p.Msg = `not committed to git: dated by when feedpub first saw it until it is committed ([articles] undated = "git")`
		case library.UndatedModTime:
			p.Msg = `no date: the article is dated by its modification time ([articles] undated = "mtime"), which differs between machines and checkouts; add a date (Date: 2024-05-01 or date = 2024-05-01) or start the file name with one`
		}
		out = append(out, p)
	}
	return out
}

// configProblems reports the problems of a config file in check's form.
func configProblems(cerr *config.Error) []problem {
	problems := make([]problem, len(cerr.Problems))
	for i, p := range cerr.Problems {
		msg := p.Msg
		if p.Key != "" {
			msg = p.Key + ": " + msg
		}
		problems[i] = problem{Path: p.Path, Line: p.Line, Severity: article.SeverityError.String(), Message: msg}
	}
	return problems
}

// writeProblems writes the report: one "path:line: severity: message" line
// per problem (no line number when the problem concerns the whole file),
// or a JSON array of objects with the same four fields.
func writeProblems(w io.Writer, format string, problems []problem) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if problems == nil {
			problems = []problem{}
		}
		return enc.Encode(problems)
	}
	for _, p := range problems {
		pe := article.ParseError{Path: p.Path, Line: p.Line, Msg: p.Message}
		if p.Severity == article.SeverityWarning.String() {
			pe.Severity = article.SeverityWarning
		}
		if _, err := fmt.Fprintln(w, pe.Report()); err != nil {
			return err
		}
	}
	return nil
}
