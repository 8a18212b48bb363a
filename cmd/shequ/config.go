package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"golang.org/x/term"

	"shequ/internal/suggest"
	"shequ/pipeline"
	"shequ/warehouse"
)

// env is what every command shares: the pipeline's configuration, resolved
// once from defaults, the environment and flags, and how to talk.
type env struct {
	stdout, stderr io.Writer

	cfg       pipeline.Config
	quiet     bool
	logFormat string
	verbose   bool
	log       *slog.Logger
}

// pipe is the pipeline of the command's configuration, its events printed:
// progress on a terminal, the line of each stage on stdout, warnings on
// stderr.
func (e *env) pipe() *pipeline.Pipeline {
	c := e.cfg
	if c.Log == nil {
		c.Log = e.log
	}
	pr := e.progress()
	c.OnEvent = func(ev pipeline.Event) {
		switch ev.Kind {
		case pipeline.Progress:
			pr.show(ev.Force, "%s", ev.Line)
			return
		case pipeline.Detail:
			if !e.verbose {
				return
			}
		case pipeline.Done:
			if ev.Stage == "publish" && e.quiet {
				return
			}
		}
		pr.done()
		w := e.stdout
		if ev.Kind == pipeline.Warn || ev.Kind == pipeline.Detail {
			w = e.stderr
		}
		fmt.Fprintln(w, ev.Line)
	}
	return pipeline.New(c)
}

// Which path flags a command takes.
type pathFlags int

const (
	flagWarehouse pathFlags = 1 << iota
	flagInbox
	flagOut
)

// memorySize is an amount of memory as DuckDB's memory_limit takes it.
var memorySize = regexp.MustCompile(`(?i)^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)\s*$`)

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// parse sets up the command's flags (defaults, then environment, then
// flags), parses args and prepares logging. -h prints the usage to stdout.
func (e *env) parse(c *command, args []string, paths pathFlags, setup func(fs *flag.FlagSet)) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("shequ "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	def := pipeline.Resolve(pipeline.Config{}, nil)
	if paths&flagWarehouse != 0 {
		fs.StringVar(&e.cfg.Warehouse, "warehouse", def.Warehouse, "warehouse `file` ($SHEQU_WAREHOUSE)")
		fs.StringVar(&e.cfg.MemoryLimit, "memory-limit", def.MemoryLimit, "the most `memory` DuckDB takes while writing the warehouse, e.g. 384MB or 2GB; beyond it, it spills beside the warehouse ($SHEQU_MEMORY_LIMIT)")
	}
	if paths&flagInbox != 0 {
		fs.StringVar(&e.cfg.Inbox, "inbox", def.Inbox, "inbox `dir` of district submissions ($SHEQU_INBOX)")
	}
	if paths&flagOut != 0 {
		fs.StringVar(&e.cfg.Out, "out", def.Out, "reports `dir` ($SHEQU_OUT)")
	}
	fs.BoolVar(&e.quiet, "quiet", false, "print no progress, only the summary and errors")
	fs.StringVar(&e.logFormat, "log-format", getenv("SHEQU_LOG_FORMAT", "text"), "log format: text or json")
	fs.BoolVar(&e.verbose, "v", false, "verbose: log every file and model")
	if setup != nil {
		setup(fs)
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			e.usage(c, fs)
			return nil, err
		}
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
			en, zh := "unknown flag "+name, "未知参数 "+name
			if near := suggest.Closest(strings.TrimPrefix(name, "-"), flagNames(fs), 2); near != "" {
				en += "; did you mean --" + near + "?"
				zh += "，是不是 --" + near + "？"
			}
			return nil, usageBoth(zh, en)
		}
		return nil, usagef("%s", err)
	}
	if !memorySize.MatchString(e.cfg.MemoryLimit) && e.cfg.MemoryLimit != "" {
		return nil, usageBoth(fmt.Sprintf("内存上限 %q 无法识别：请写成 384MB、2GB 这样的数量", e.cfg.MemoryLimit),
			fmt.Sprintf("--memory-limit (or $SHEQU_MEMORY_LIMIT) %q is not an amount of memory such as 384MB or 2GB", e.cfg.MemoryLimit))
	}
	level := slog.LevelWarn
	if e.verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	switch e.logFormat {
	case "json":
		e.log = slog.New(slog.NewJSONHandler(e.stderr, opts))
	case "text":
		e.log = slog.New(slog.NewTextHandler(e.stderr, opts))
	default:
		return nil, usagef("--log-format must be text or json, not %q", e.logFormat)
	}
	e.cfg = pipeline.Resolve(e.cfg, nil)
	e.cfg.Log = e.log
	e.cfg.Program = programName(os.Args[0])
	return fs, nil
}

// flagNames lists a flag set's flags by name.
func flagNames(fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, f.Name) })
	return out
}

func (e *env) usage(c *command, fs *flag.FlagSet) {
	fmt.Fprintf(e.stdout, "shequ %s — %s\n\n%s\n\nFlags:\n", c.name, c.summary, strings.TrimSpace(c.usage))
	fs.SetOutput(e.stdout)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// noArgs refuses positional arguments.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// progress writes a one-line status that rewrites itself on a terminal and
// prints nothing in CI, in a pipe or with --quiet.
type progress struct {
	w       io.Writer
	on      bool
	last    time.Time
	written bool
}

func (e *env) progress() *progress {
	p := &progress{w: e.stderr}
	if f, ok := e.stderr.(*os.File); ok && !e.quiet && os.Getenv("CI") == "" && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

func (p *progress) show(force bool, format string, a ...any) {
	if !p.on || (!force && time.Since(p.last) < 100*time.Millisecond) {
		return
	}
	p.last = time.Now()
	p.written = true
	fmt.Fprintf(p.w, "\r\033[K"+format, a...)
}

func (p *progress) done() {
	if p.on && p.written {
		fmt.Fprint(p.w, "\r\033[K")
		p.written = false
	}
}

// closeWriter closes a warehouse a command opened for writing: a failure
// to close it (its last checkpoint, on a full disk) fails the command.
func closeWriter(w *warehouse.Warehouse, err *error) {
	if cerr := w.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("close the warehouse (its last checkpoint): %w", cerr)
	}
}

// parseSub reads a command's subcommand (its first argument), then its
// flags (setup adds the subcommand's own) and its other arguments wherever
// they stand. Without a subcommand it says which there are (subs).
func (e *env) parseSub(c *command, args []string, subs []string, setup func(sub string, fs *flag.FlagSet)) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if _, err := e.parse(c, args, flagWarehouse, nil); err != nil {
			return "", nil, err
		}
		list := strings.Join(subs[:len(subs)-1], ", ") + " or " + subs[len(subs)-1]
		return "", nil, usagef("name what to do: %s", list)
	}
	sub, args := args[0], args[1:]
	fs, err := e.parse(c, args, flagWarehouse, func(f *flag.FlagSet) {
		if setup != nil {
			setup(sub, f)
		}
	})
	if err != nil {
		return "", nil, err
	}
	pos, err := reparse(fs)
	return sub, pos, err
}

// programName is how to run shequ again, for the commands it suggests:
// the path it was started by ("./shequ", "/usr/local/bin/shequ"), "shequ"
// when found on PATH, or "go run ./cmd/shequ" for a binary go run built.
func programName(arg0 string) string {
	switch {
	case strings.Contains(arg0, "go-build"):
		return "go run ./cmd/shequ"
	case strings.ContainsRune(arg0, '/'):
		return pipeline.ShellQuote(arg0)
	}
	return arg0
}
