// Package console is the interactive SQL console of `shequ sql`: line
// editing and history on a terminal, statements that span lines until a
// closing semicolon, dot-commands (.tables, .schema, .mode, .timer …),
// results as aligned tables, and every statement checked read-only.
package console

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"shequ/models"
	"shequ/queries"
	"shequ/queries/output"
)

// Config is what a console needs.
type Config struct {
	In  *os.File // the terminal
	Out io.Writer
	// Conn is the session's connection: SET and TEMP tables last as long
	// as the console.
	Conn *sql.Conn
	// Source says what the session reads, for the banner.
	Source string
	// HistoryFile keeps the statements between sessions; "" keeps none.
	HistoryFile string
}

const (
	prompt     = "shequ> "
	contPrompt = "  ...> "
)

// Run runs the console until .quit or end of input (Ctrl-D). Ctrl-C
// clears the statement being typed, or cancels the one running.
func Run(ctx context.Context, cfg Config) error {
	s := NewSession(cfg.Out, cfg.Conn)
	fmt.Fprintf(cfg.Out, "shequ sql — reading %s, read-only (只读).\n"+
		"End statements with ;  .help lists the commands, .quit leaves.\n", cfg.Source)
	fd := int(cfg.In.Fd())
	hist := loadHistory(cfg.HistoryFile)
	ed := newEditor(cfg.In, cfg.Out, hist, func() int {
		w, _, err := term.GetSize(fd)
		if err != nil {
			return 0
		}
		return w
	})
	// ^C during a statement arrives as SIGINT (the terminal is in its
	// normal mode then): it cancels that statement only.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	base := context.WithoutCancel(ctx)
	for {
		p := prompt
		if s.buf.Len() > 0 {
			p = contPrompt
		}
		old, err := term.MakeRaw(fd)
		if err != nil {
			return fmt.Errorf("console: %w", err)
		}
		line, err := ed.readLine(p)
		term.Restore(fd, old)
		switch {
		case errors.Is(err, errInterrupt):
			s.buf.Reset()
			continue
		case err == io.EOF:
			fmt.Fprintln(cfg.Out)
			return nil
		case err != nil:
			return err
		}
		drain(sigs)
		qctx, cancel := context.WithCancel(base)
		done := make(chan struct{})
		go func() {
			select {
			case <-sigs:
				cancel()
			case <-done:
			}
		}()
		stmts, quit := s.Line(qctx, line)
		close(done)
		cancel()
		for _, st := range stmts {
			hist.remember(cfg.HistoryFile, st)
		}
		if quit {
			return nil
		}
	}
}

func drain(c chan os.Signal) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// Session holds the state of a console: the statement being typed, the
// output mode and the timer. It is the console without a terminal.
type Session struct {
	out   io.Writer
	conn  *sql.Conn
	buf   strings.Builder
	mode  output.Format
	timer bool
}

// NewSession starts a session writing to out.
func NewSession(out io.Writer, conn *sql.Conn) *Session {
	return &Session{out: out, conn: conn, mode: output.Table}
}

// Line takes one line typed by the analyst: a dot-command, or SQL added to
// the statement being typed, which runs once it ends with ";". It returns
// the statements run (for the history) and whether to quit.
func (s *Session) Line(ctx context.Context, line string) (ran []string, quit bool) {
	trimmed := strings.TrimSpace(line)
	if s.buf.Len() == 0 {
		if trimmed == "" {
			return nil, false
		}
		if strings.HasPrefix(trimmed, ".") {
			return []string{trimmed}, s.dot(ctx, trimmed)
		}
		if q := strings.ToLower(strings.TrimSuffix(trimmed, ";")); q == "exit" || q == "quit" {
			return nil, true
		}
	}
	if s.buf.Len() > 0 {
		s.buf.WriteString("\n")
	}
	s.buf.WriteString(line)
	text := s.buf.String()
	if !queries.Complete(text) {
		return nil, false
	}
	s.buf.Reset()
	for _, st := range queries.Split(text) {
		s.run(ctx, st)
	}
	return []string{text}, false
}

func (s *Session) run(ctx context.Context, st queries.Statement) {
	start := time.Now()
	res, err := queries.Exec(ctx, s.conn, queries.Statement{Text: st.Text, Line: 1})
	took := time.Since(start)
	switch {
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(s.out, "cancelled (已取消)")
	case err != nil:
		fmt.Fprintf(s.out, "Error: %v\n", err)
	case res.Status():
		fmt.Fprintln(s.out, "ok")
	default:
		if err := output.Write(s.out, s.mode, res, output.Options{}); err != nil {
			fmt.Fprintf(s.out, "Error: %v\n", err)
		}
	}
	if s.timer {
		fmt.Fprintf(s.out, "Run Time: %.3fs\n", took.Seconds())
	}
}

const help = `.tables [SCHEMA]      tables and views, with what each holds
.schema MODEL         a table's columns, types and descriptions (e.g. .schema coverage)
.queries              the saved queries (run them with shequ query NAME)
.mode MODE            results as table, csv, json or markdown
.timer on|off         show how long each statement took
.help                 this list
.quit                 leave (or Ctrl-D)
Statements end with ; and may span lines. Ctrl-C clears the statement being
typed, or cancels the one running. ↑ and ↓ recall earlier statements.
Everything is read-only, and the session touches no file but the warehouse
(no read_csv, COPY … TO or ATTACH); CREATE TEMP TABLE works. To keep a result
in a file: shequ sql -c "…" --format csv|xlsx|json|markdown --out FILE.
`

// dot runs a dot-command; it returns true for .quit.
func (s *Session) dot(ctx context.Context, cmd string) bool {
	f := strings.Fields(cmd)
	name, args := f[0], f[1:]
	switch name {
	case ".quit", ".exit", ".q":
		return true
	case ".help", ".h":
		fmt.Fprint(s.out, help)
	case ".mode":
		if len(args) != 1 {
			fmt.Fprintf(s.out, "mode: %s (.mode table|csv|json|markdown)\n", s.mode)
			break
		}
		m, err := output.Parse(args[0])
		if err != nil || m.Binary() {
			fmt.Fprintln(s.out, "Error: .mode takes table, csv, json or markdown (xlsx: shequ sql --format xlsx --out FILE)")
			break
		}
		s.mode = m
	case ".timer":
		switch {
		case len(args) == 1 && (args[0] == "on" || args[0] == "off"):
			s.timer = args[0] == "on"
		default:
			fmt.Fprintln(s.out, "Error: .timer on|off")
		}
	case ".tables":
		s.tables(ctx, args)
	case ".schema":
		if len(args) != 1 {
			fmt.Fprintln(s.out, "Error: .schema MODEL, e.g. .schema coverage or .schema marts.coverage")
			break
		}
		s.schema(ctx, args[0])
	case ".queries":
		s.savedQueries()
	default:
		fmt.Fprintf(s.out, "Error: unknown command %s (.help lists them)\n", name)
	}
	return false
}

func (s *Session) query(ctx context.Context, q string, args ...any) (*queries.Result, error) {
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return queries.Collect(rows)
}

// project is the model project, for descriptions; nil when it does not load.
func project() *models.Project {
	p, err := models.LoadEmbedded()
	if err != nil {
		return nil
	}
	return p
}

func (s *Session) tables(ctx context.Context, args []string) {
	schema := ""
	if len(args) > 0 {
		schema = args[0]
	}
	res, err := s.query(ctx, `SELECT table_schema, table_name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END
		FROM information_schema.tables
		WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog')
		  AND ($1 = '' OR table_schema = $1)
		ORDER BY CASE table_schema WHEN 'marts' THEN 0 WHEN 'intermediate' THEN 1 WHEN 'staging' THEN 2
		  WHEN 'raw' THEN 3 WHEN 'policy' THEN 4 ELSE 5 END, table_schema, table_name`, schema)
	if err != nil {
		fmt.Fprintf(s.out, "Error: %v\n", err)
		return
	}
	p := project()
	var rows [][]string
	for _, r := range res.Strings() {
		desc := ""
		if p != nil {
			if m := p.Model(r[0] + "." + r[1]); m != nil {
				desc = firstSentence(m.Description)
			}
		}
		rows = append(rows, []string{r[0] + "." + r[1], r[2], desc})
	}
	_ = output.Aligned(s.out, []string{"name", "kind", "description"}, rows, nil, true)
}

func (s *Session) schema(ctx context.Context, name string) {
	schema, table, ok := strings.Cut(name, ".")
	if !ok {
		schema, table = "", name
	}
	res, err := s.query(ctx, `SELECT table_schema, column_name, data_type FROM information_schema.columns
		WHERE table_catalog = current_database() AND table_name = $1 AND ($2 = '' OR table_schema = $2)
		ORDER BY CASE table_schema WHEN 'marts' THEN 0 WHEN 'intermediate' THEN 1 WHEN 'staging' THEN 2 ELSE 3 END,
		  table_schema, ordinal_position`, table, schema)
	if err != nil {
		fmt.Fprintf(s.out, "Error: %v\n", err)
		return
	}
	if len(res.Rows) == 0 {
		fmt.Fprintf(s.out, "Error: no table or view %s (.tables lists them)\n", name)
		return
	}
	rows := res.Strings()
	schema = rows[0][0]
	full := schema + "." + table
	var m *models.Model
	if p := project(); p != nil {
		m = p.Model(full)
	}
	fmt.Fprintln(s.out, full)
	if m != nil && m.Description != "" {
		fmt.Fprintln(s.out, wrap(strings.Join(strings.Fields(m.Description), " "), 100))
	}
	var out [][]string
	for _, r := range rows {
		if r[0] != schema {
			continue
		}
		desc := ""
		if m != nil {
			if c := m.Column(r[1]); c != nil {
				desc = c.Description
			}
		}
		out = append(out, []string{r[1], r[2], desc})
	}
	_ = output.Aligned(s.out, []string{"column", "type", "description"}, out, nil, false)
}

func (s *Session) savedQueries() {
	lib, err := queries.LoadEmbedded()
	if err != nil {
		fmt.Fprintf(s.out, "Error: %v\n", err)
		return
	}
	var rows [][]string
	for _, q := range lib.List() {
		var ps []string
		for _, p := range q.Params {
			ps = append(ps, p.Name)
		}
		rows = append(rows, []string{q.Name, strings.Join(ps, ", "), firstSentence(q.Description)})
	}
	_ = output.Aligned(s.out, []string{"query", "parameters", "description"}, rows, nil, true)
	fmt.Fprintln(s.out, "Run one with: shequ query NAME --param name=value")
}

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i+1]
	}
	if r := []rune(s); len(r) > 90 {
		s = string(r[:89]) + "…"
	}
	return s
}

func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		if n > 0 && n+1+len([]rune(w)) > width {
			b.WriteString("\n")
			n = 0
		} else if n > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len([]rune(w))
	}
	return b.String()
}

// history is the console's history: the statements of this and earlier
// sessions, one line each.
type history struct {
	entries []string // oldest first
}

const historyMax = 1000

// DefaultHistoryFile is $SHEQU_HISTORY, or $XDG_STATE_HOME/shequ/history,
// or ~/.shequ_history.
func DefaultHistoryFile() string {
	if f := os.Getenv("SHEQU_HISTORY"); f != "" {
		return f
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "shequ", "history")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".shequ_history")
	}
	return ""
}

func loadHistory(file string) *history {
	h := &history{}
	if file == "" {
		return h
	}
	f, err := os.Open(file)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" {
			h.entries = append(h.entries, l)
		}
	}
	if len(h.entries) > historyMax {
		h.entries = h.entries[len(h.entries)-historyMax:]
	}
	return h
}

func (h *history) Len() int { return len(h.entries) }

func (h *history) At(i int) string { return h.entries[len(h.entries)-1-i] }

// remember adds a statement, as one line, and appends it to the file.
func (h *history) remember(file, stmt string) {
	line := strings.Join(strings.Fields(stmt), " ")
	if line == "" || (len(h.entries) > 0 && h.entries[len(h.entries)-1] == line) {
		return
	}
	h.entries = append(h.entries, line)
	if file == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	fmt.Fprintln(f, line)
	f.Close()
}
