package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/deploy"
	"github.com/feedpub/feedpub/internal/publish"
)

// exitError carries an exit status other than 1: 2 for usage errors, and
// for check, 1 without a message when problems were printed.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func usageError(format string, args ...any) error {
	return exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

const usage = `usage: feedpub [command] [flags]

commands:
  serve    serve the feeds and pages, rebuilding on every change (default)
  build    write the site to a directory: feedpub build --out DIR
  deploy   upload the site to S3-compatible object storage:
           feedpub deploy [--dry-run] [--max-deletes N] [--force] [--watch] s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path_style=true
  check    report every problem in config.toml and the articles:
           feedpub check [--format text|json] [--strict]
  new      start a new article, as a draft dated today:
           feedpub new "Title" [--format txt|md] [--tags a,b]
  version  print the version

flags every command takes:
  --config FILE   config file (default config.toml)
  --articles DIR  articles directory (overrides [articles] dir)

Run 'feedpub COMMAND --help' for a command's own flags.
`

// command is one subcommand: its flags and what it does.
type command struct {
	name  string
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, env *env) error
}

// env is what a command gets: the parsed common flags, its positional
// arguments, the output streams and a logger writing to stderr.
type env struct {
	configPath   string
	articlesDir  string
	args         []string
	stdout       io.Writer
	stderr       io.Writer
	logger       *slog.Logger
	flagsVisited map[string]bool
	// overrides applies command-specific flags to a loaded config, at
	// start and on every reload.
	overrides func(*config.Config)
	// onRebuild, if set, is told of every rebuild after the first (tests
	// wait on it).
	onRebuild func(publish.Result, error)
	// onDeployed, if set, is told of every continuous deploy (tests
	// wait on it).
	onDeployed func(deploy.Summary, error)
	// continuous, if set, deploys every snapshot serve swaps in.
	continuous *deploy.Continuous
	// storeRetries bounds the retries of requests to object storage;
	// zero takes the defaults (tests shorten them).
	storeRetries deploy.ClientOptions
}

// run is feedpub's whole command line: main only calls it, and tests call
// it with their own arguments and streams.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	name, args := commandName(args)
	cmd, ok := commands()[name]
	if !ok {
		return usageError("unknown command %q\n\n%s", name, usage)
	}
	e := &env{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("feedpub "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&e.configPath, "config", "config.toml", "config `file`")
	fs.StringVar(&e.articlesDir, "articles", "", "articles `directory` (overrides [articles] dir)")
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	positional, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return exitError{code: 2}
	}
	e.args = positional
	e.flagsVisited = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { e.flagsVisited[f.Name] = true })
	e.logger = slog.New(slog.NewTextHandler(stderr, nil))
	return cmd.run(ctx, e)
}

func commands() map[string]command {
	return map[string]command{
		"serve":   serveCommand(),
		"build":   buildCommand(),
		"deploy":  deployCommand(),
		"check":   checkCommand(),
		"new":     newCommand(),
		"version": {name: "version", run: runVersion},
	}
}

// commandName finds the subcommand, which may follow common flags
// ("feedpub --config x.toml build"), and returns it with the remaining
// arguments. No command means serve.
func commandName(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			rest := append(append([]string{}, args[:i]...), args[i+1:]...)
			return a, rest
		}
		if !strings.Contains(a, "=") && takesValue(a) {
			i++ // skip the flag's value
		}
	}
	return "serve", args
}

// takesValue reports whether a flag given before the command name consumes
// the next argument. Only the common flags may stand there.
func takesValue(flagArg string) bool {
	name := strings.TrimLeft(flagArg, "-")
	return name == "config" || name == "articles"
}

// parseInterspersed parses flags that may stand before, between or after
// positional arguments, as users expect of "feedpub new "Title" --tags a".
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// loadConfig loads the config file and applies the command-line overrides.
func (e *env) loadConfig() (config.Config, error) {
	cfg, err := config.Load(e.configPath)
	if err != nil {
		return config.Config{}, err
	}
	if e.articlesDir != "" {
		cfg.Articles.Dir = e.articlesDir
	}
	if e.overrides != nil {
		e.overrides(&cfg)
	}
	return cfg, cfg.Validate()
}

func runVersion(_ context.Context, e *env) error {
	fmt.Fprintln(e.stdout, "feedpub", version())
	return nil
}

// version is the module version feedpub was built from, or "devel".
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
