package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"shequ/internal/atomic"
	"shequ/queries"
	"shequ/queries/console"
	"shequ/queries/output"
)

func init() {
	register(&command{
		name:    "sql",
		summary: "query the warehouse with SQL, read-only: a console on a terminal, or scripts",
		usage: `Usage: shequ sql [-c SQL | FILE | -] [--format F] [--out FILE]

On a terminal, without -c or FILE, opens a console: statements end with ;
and may span lines; ↑/↓ recall earlier ones (kept in ~/.shequ_history);
.tables, .schema MODEL, .mode table|csv|json|markdown, .timer on|off,
.queries, .help and .quit. Otherwise runs the statements of -c, of FILE,
or of standard input (FILE "-" or a pipe), and prints each result.

Everything is read-only: shequ sql reads the snapshot the last successful
build published, never the file the pipeline writes, so it never waits for
the pipeline nor holds it up. A statement that would change the warehouse
(INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, COPY, ATTACH …) is refused
before anything runs. The session touches no file but the warehouse:
read_csv, read_text, COPY … TO, EXPORT and ATTACH of files are turned off,
no extension is installed or loaded, and its settings are locked.
CREATE TEMP TABLE works as usual.

Results print as aligned tables; --format csv|json|markdown|xlsx changes
that, and --out FILE writes the result to a file, which is how results
are kept (xlsx: a sheet for each result, header row frozen). In CSV, text
that a spreadsheet would take for a formula (=, +, -, @ first) is written
with a ' in front.

Examples:
  shequ sql
  shequ sql -c "SELECT * FROM marts.coverage ORDER BY year, district"
  shequ sql -c "FROM marts.rejects" --format xlsx --out rejects.xlsx
  shequ sql report.sql --format csv --bom --out report.csv
  echo "SELECT count(*) FROM marts.submissions;" | shequ sql`,
		run: runSQL,
	})
}

// resultFlags are the output flags shared by sql and query.
type resultFlags struct {
	format string
	out    string
	bom    bool
}

func (o *resultFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "", "write results as `table`, csv, json, markdown or xlsx (default: table, or from --out's extension)")
	fs.StringVar(&o.out, "out", "", "write the result to this `file` instead of standard output")
	fs.BoolVar(&o.bom, "bom", false, "start CSV with a byte-order mark, for Excel")
}

func (o *resultFlags) resolve() (output.Format, error) {
	if o.format == "" {
		if f, ok := output.FromFileName(o.out); ok {
			return f, nil
		}
		return output.Table, nil
	}
	f, err := output.Parse(o.format)
	if err != nil {
		return "", usageErr(err)
	}
	if f.Binary() && o.out == "" {
		return "", usagef("--format %s needs --out FILE", f)
	}
	return f, nil
}

// reparse parses the flags that follow the positional arguments
// (shequ sql FILE --format csv): the flag package stops at the first.
func reparse(fs *flag.FlagSet) ([]string, error) {
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return nil, usageErr(err)
		}
	}
	return pos, nil
}

func runSQL(ctx context.Context, e *env, args []string) error {
	var command string
	var o resultFlags
	fs, err := e.parse(lookup("sql"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.StringVar(&command, "c", "", "run these `statements` and exit")
		o.flags(fs)
	})
	if err != nil {
		return err
	}
	pos, err := reparse(fs)
	if err != nil {
		return err
	}
	format, err := o.resolve()
	if err != nil {
		return err
	}
	var text, file string
	switch {
	case command != "" && len(pos) > 0:
		return usagef("give either -c or a file, not both")
	case len(pos) > 1:
		return usagef("one file at a time")
	case command != "":
		text = command
	case len(pos) == 1 && pos[0] != "-":
		b, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		text, file = string(b), filepath.Base(pos[0])
	case len(pos) == 0 && isTerminal(os.Stdin) && isTerminal(os.Stdout):
		return e.console(ctx)
	default:
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		text = string(b)
	}
	stmts := queries.Split(text)
	if len(stmts) == 0 {
		return usagef("no SQL statement given")
	}
	// Refuse before anything runs.
	if err := queries.CheckAll(stmts, file); err != nil {
		return err
	}
	w, _, err := e.openReader(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	conn, err := w.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var sheets []output.Sheet
	for i, s := range stmts {
		res, err := queries.Exec(ctx, conn, s)
		if err != nil {
			return &queries.StatementError{Stmt: s, Index: i + 1, Of: len(stmts), File: file, Err: err}
		}
		if res.Status() {
			continue
		}
		if o.out != "" {
			sheets = append(sheets, output.Sheet{Name: fmt.Sprintf("result %d", len(sheets)+1), Result: res})
			continue
		}
		if len(sheets) > 0 && format == output.Table {
			fmt.Fprintln(e.stdout)
		}
		sheets = append(sheets, output.Sheet{Result: res})
		if err := output.Write(e.stdout, format, res, output.Options{BOM: o.bom}); err != nil {
			return err
		}
	}
	if o.out != "" {
		return writeResults(e, o, format, sheets)
	}
	return nil
}

// writeResults writes the results to --out, atomically.
func writeResults(e *env, o resultFlags, format output.Format, sheets []output.Sheet) error {
	switch {
	case len(sheets) == 0:
		return errors.New("no statement returned rows: nothing to write to " + o.out)
	case len(sheets) > 1 && format != output.XLSX:
		return fmt.Errorf("--out takes one result and the statements returned %d: run them one at a time, or use --format xlsx for a sheet each", len(sheets))
	}
	if len(sheets) == 1 {
		sheets[0].Name = "result"
	}
	err := atomic.WriteFile(o.out, func(w io.Writer) error {
		if format == output.XLSX {
			return output.WriteXLSX(w, sheets)
		}
		return output.Write(w, format, sheets[0].Result, output.Options{BOM: o.bom, NoFooter: true})
	})
	if err != nil {
		return err
	}
	rows := 0
	for _, s := range sheets {
		rows += len(s.Result.Rows)
	}
	fmt.Fprintf(e.stderr, "wrote %d rows to %s\n", rows, o.out)
	return nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// console runs the interactive console on the terminal.
func (e *env) console(ctx context.Context) error {
	w, src, err := e.openReader(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	conn, err := w.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return console.Run(ctx, console.Config{
		In: os.Stdin, Out: os.Stdout,
		Conn:        conn,
		Source:      src.String(),
		HistoryFile: console.DefaultHistoryFile(),
	})
}

// printTable aligns columns by display width, so Chinese text lines up.
func printTable(w io.Writer, cols []string, rows [][]string) {
	_ = output.Aligned(w, cols, rows, nil, true)
}
