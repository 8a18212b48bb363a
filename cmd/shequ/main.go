// Command shequ is the warehouse and analytics pipeline for civil-affairs
// bureaus that buy community services: it ingests the districts' Excel and
// CSV submissions into DuckDB, builds the policy marts, tests them and
// writes the reports planners hand on.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"shequ/internal/say"
	"shequ/internal/suggest"
)

// A command is one subcommand: one file each, with its flags and usage.
type command struct {
	name    string
	summary string
	usage   string // the rest of the usage text: flags are appended
	run     func(ctx context.Context, env *env, args []string) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageError is a mistake in how shequ was called: exit status 2. zh is
// the Chinese, when the mistake has its own words ("命令参数有误" when not).
type usageError struct{ msg, zh string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// usageBoth is a usage mistake worded in both languages.
func usageBoth(zh, en string) error { return &usageError{msg: en, zh: zh} }

// usageErr makes err a usage mistake, keeping its Chinese when it has some.
func usageErr(err error) error {
	var w say.Worded
	if errors.As(err, &w) {
		zh, en := say.Lines(err)
		return &usageError{msg: en, zh: zh}
	}
	return &usageError{msg: err.Error()}
}

// printError prints an error for users: the Chinese first, the English
// (and its code) indented on the lines after.
func printError(w io.Writer, prefix, zh, en string) {
	fmt.Fprintf(w, "%s: %s\n", prefix, zh)
	for _, line := range strings.Split(strings.TrimRight(en, "\n"), "\n") {
		fmt.Fprintf(w, "  %s\n", line)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile := startProfile(os.Getenv("SHEQU_CPUPROFILE"), os.Stderr)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}

// startProfile writes a CPU profile of the whole command to path (for
// `go tool pprof`; BENCHMARKS.md shows its use), when path is set.
func startProfile(path string, stderr io.Writer) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(stderr, "shequ: SHEQU_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// Main runs shequ with args and returns the exit status.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printHelp(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				_ = c.run(ctx, e, []string{"-h"})
				return 0
			}
			printError(stderr, "shequ", fmt.Sprintf("未知命令 %q（运行 shequ help 查看所有命令）", args[1]),
				fmt.Sprintf("unknown command %q; run `shequ help` for the list", args[1]))
			return 2
		}
		printHelp(stdout)
		return 0
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		zh := fmt.Sprintf("未知命令 %q", name)
		if near := closestCommand(name); near != "" {
			zh += fmt.Sprintf("，是不是 %s？", near)
		}
		printError(stderr, "shequ", zh+"（运行 shequ help 查看所有命令）",
			fmt.Sprintf("unknown command %q%s; run `shequ help` for the list", name, didYouMean(name)))
		return 2
	}
	err := c.run(ctx, e, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		zh := ue.zh
		if zh == "" {
			zh = "命令参数有误"
		}
		printError(stderr, "shequ "+c.name, fmt.Sprintf("%s（用法见 shequ %s --help）", zh, c.name),
			fmt.Sprintf("%s (see `shequ %s --help`)", ue.msg, c.name))
		return 2
	default:
		zh, en := say.Lines(err)
		printError(stderr, "shequ "+c.name, zh, en)
		return 1
	}
}

// didYouMean suggests the command a mistyped name probably meant.
func didYouMean(name string) string {
	if near := closestCommand(name); near != "" {
		return fmt.Sprintf("; did you mean %s?", near)
	}
	return ""
}

// closestCommand is the command a mistyped name probably meant, or "".
func closestCommand(name string) string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return suggest.Closest(name, names, 2)
}

// helpOrder is the order of commands in `shequ help`: the pipeline first.
var helpOrder = []string{"demo", "run", "ingest", "build", "test", "report", "sql", "query", "serve", "schedules",
	"runs", "settings", "policy", "close", "restate", "closed", "docs", "template", "receipts", "key", "gen", "bench", "version"}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `shequ — the community-services warehouse for civil-affairs bureaus (社区服务数据仓库)

Usage: shequ <command> [flags]

Commands:
`)
	for _, name := range helpOrder {
		if c := lookup(name); c != nil {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprint(w, `
Paths default to ./shequ.duckdb, ./inbox and ./out, or $SHEQU_WAREHOUSE,
$SHEQU_INBOX and $SHEQU_OUT; every one is also a flag.

Start with:  shequ demo
More:        shequ help <command>
`)
}
