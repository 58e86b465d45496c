package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

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

// command is one subcommand: its flags and what it does.
type command struct {
	name string
	// summary is the command's line in the command list.
	summary string
	// synopsis shows how to call it, after "usage: ".
	synopsis string
	// ownFlagsOnly leaves out --config and --articles, for commands that
	// read no configuration.
	ownFlagsOnly bool
	// baseURLFlag adds --base-url, for commands whose output holds links.
	baseURLFlag bool
	flags       func(fs *flag.FlagSet)
	run         func(ctx context.Context, env *env) error
}

// env is what a command gets: the parsed common flags, its positional
// arguments, the output streams and a logger writing to stderr.
type env struct {
	configPath  string
	articlesDir string
	baseURL     string
	args        []string
	stdout      io.Writer
	stderr      io.Writer
	logger      *slog.Logger
	// logFormat is the format logger writes until the first loadConfig,
	// which switches it to [server] log_format and empties logFormat:
	// reloads leave the logger alone (others hold it). Empty as well for a
	// logger given by a test.
	logFormat    string
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
	continuous *continuous
	// hubWait bounds how long a one-shot deploy waits for the WebSub
	// hubs; zero means defaultHubWait (tests shorten it).
	hubWait time.Duration
	// storeRetries bounds the retries of requests to object storage;
	// zero takes the defaults (tests shorten them).
	storeRetries deploy.ClientOptions
}

// commands lists every subcommand in the order help shows them.
func commands() []command {
	return []command{
		serveCommand(),
		buildCommand(),
		deployCommand(),
		checkCommand(),
		newCommand(),
		initCommand(),
		healthCommand(),
		{name: "version", summary: "print feedpub's version and the Go version it was built with",
			synopsis: "feedpub version", ownFlagsOnly: true, run: runVersion},
		{name: "help", summary: "show this list, or a command's flags: feedpub help COMMAND",
			synopsis: "feedpub help [COMMAND]", ownFlagsOnly: true},
	}
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usage is the general help: every command with one line.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: feedpub [command] [flags]\n\nfeedpub publishes a directory of articles as RSS, Atom and JSON feeds and a\nsmall website, rebuilt whenever a file changes.\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Without a command, feedpub serves: "feedpub --listen 127.0.0.1:8093" is
"feedpub serve --listen 127.0.0.1:8093".

flags every command that reads the configuration takes:
  --config FILE   config file (default config.toml)
  --articles DIR  articles directory (overrides [articles] dir)

Run 'feedpub help COMMAND' or 'feedpub COMMAND --help' for a command's flags.
`)
	return b.String()
}

// run is feedpub's whole command line: main only calls it, and tests call
// it with their own arguments and streams.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	name, args, named := commandName(args)
	switch {
	case name == "help":
		return runHelp(args, stdout)
	case !named && wantsHelp(args):
		return runHelp(nil, stdout)
	}
	cmd, ok := lookupCommand(name)
	if !ok {
		return usageError("unknown command %q\n\n%s", name, usage())
	}
	e := &env{stdout: stdout, stderr: stderr}
	fs := newFlagSet(cmd, e)
	if wantsHelp(args) {
		printCommandHelp(stdout, cmd, fs)
		return nil
	}
	fs.SetOutput(stderr)
	fs.Usage = func() { printCommandHelp(stderr, cmd, fs) }
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return exitError{code: 2}
	}
	e.args = positional
	e.flagsVisited = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { e.flagsVisited[f.Name] = true })
	e.logger, e.logFormat = newLogger(stderr, config.LogText), config.LogText
	return cmd.run(ctx, e)
}

// newFlagSet returns cmd's flags, bound to e, with the common ones unless
// the command reads no configuration.
func newFlagSet(cmd command, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("feedpub "+cmd.name, flag.ContinueOnError)
	if !cmd.ownFlagsOnly {
		fs.StringVar(&e.configPath, "config", "config.toml", "config `file`")
		fs.StringVar(&e.articlesDir, "articles", "", "articles `directory` (overrides [articles] dir)")
	}
	if cmd.baseURLFlag {
		fs.StringVar(&e.baseURL, "base-url", "", "the `URL` the site is served under, for every link (overrides [site] base_url)")
	}
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	return fs
}

// runHelp prints the general help, or with a command name, that command's.
func runHelp(args []string, stdout io.Writer) error {
	var names []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		fmt.Fprint(stdout, usage())
		return nil
	}
	cmd, ok := lookupCommand(names[0])
	if !ok {
		return usageError("unknown command %q\n\n%s", names[0], usage())
	}
	printCommandHelp(stdout, cmd, newFlagSet(cmd, &env{}))
	return nil
}

// printCommandHelp prints how to call cmd, what it does and its flags.
func printCommandHelp(w io.Writer, cmd command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s.\n", cmd.synopsis, cmd.summary)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nflags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// wantsHelp reports whether args ask for help (-h, -help or --help) before
// a "--" that ends the flags.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// commandName finds the subcommand, which may follow flags ("feedpub
// --config x.toml build"), and returns it with the remaining arguments and
// whether it was named. No command means serve, so the flags of serve can
// be given alone: "feedpub --listen 127.0.0.1:8093".
func commandName(args []string) (name string, rest []string, named bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest := append(append([]string{}, args[:i]...), args[i+1:]...)
			return a, rest, true
		}
		if !strings.Contains(a, "=") && takesValue(a) {
			i++ // skip the flag's value
		}
	}
	return "serve", args, false
}

// takesValue reports whether a flag given before the command name consumes
// the next argument: whether any command has a flag of that name that is
// not boolean.
func takesValue(flagArg string) bool {
	name := strings.TrimLeft(flagArg, "-")
	for _, c := range commands() {
		f := newFlagSet(c, &env{}).Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			return false
		}
		return true
	}
	return false
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
// A bad value given by a flag is blamed on the flag, not on the file.
func (e *env) loadConfig() (config.Config, error) {
	cfg, err := config.Load(e.configPath)
	if err != nil {
		return config.Config{}, err
	}
	if e.articlesDir != "" {
		// Relative to the working directory, as a path typed in a shell is.
		if cfg.Articles.Dir, err = config.AbsDir(e.articlesDir); err != nil {
			return config.Config{}, err
		}
	}
	if e.baseURL != "" {
		cfg.SetBaseURL(e.baseURL)
	}
	if e.overrides != nil {
		e.overrides(&cfg)
	}
	if err := e.blameFlags(cfg.Validate()); err != nil {
		return cfg, err
	}
	if e.logFormat != "" {
		if e.logFormat != cfg.Server.LogFormat {
			e.logger = newLogger(e.stderr, cfg.Server.LogFormat)
		}
		e.logFormat = ""
	}
	return cfg, nil
}

// newLogger returns a logger writing lines of format ("text" or "json")
// to w.
func newLogger(w io.Writer, format string) *slog.Logger {
	if format == config.LogJSON {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// displayPath shows an absolute path as the user would type it: relative
// to the working directory when it lies below it, so that "articles/a.txt:3"
// in a message opens in an editor from where feedpub was started.
func displayPath(abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return rel
}

// flagKeys maps the config keys that flags override to those flags.
var flagKeys = map[string]string{
	"articles.dir":  "articles",
	"server.listen": "listen",
	"articles.poll": "poll",
	"site.base_url": "base-url",
}

// blameFlags rewrites the problems of err whose value came from a flag so
// that they name the flag ("--listen: must be host:port…") instead of a
// line of the config file that did not set it.
func (e *env) blameFlags(err error) error {
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		return err
	}
	out := &config.Error{Problems: slices.Clone(cerr.Problems)}
	for i, p := range out.Problems {
		if name, ok := flagKeys[p.Key]; ok && e.flagsVisited[name] {
			out.Problems[i] = config.Problem{Key: "--" + name, Msg: p.Msg}
		}
	}
	return out
}

func runVersion(_ context.Context, e *env) error {
	if len(e.args) > 0 {
		return usageError("version takes no arguments")
	}
	fmt.Fprintln(e.stdout, "feedpub", version())
	return nil
}

// version describes the build: the module version when feedpub was
// installed with "go install …@version"; otherwise, built from a checkout,
// the commit, its time and whether the tree had changes; and always the Go
// version.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown build) " + runtime.Version()
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v + " " + info.GoVersion
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		return "devel (built without version control information) " + info.GoVersion
	}
	desc := "devel " + rev
	if t := settings["vcs.time"]; t != "" {
		desc += " " + t
	}
	if settings["vcs.modified"] == "true" {
		desc += " (modified)"
	}
	return desc + " " + info.GoVersion
}
