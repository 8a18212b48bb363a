package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"shequ/warehouse"
)

func TestEditorKeys(t *testing.T) {
	hist := &history{entries: []string{"SELECT 1;", "SELECT 2;"}}
	tests := []struct {
		name, keys, want string
		err              error
	}{
		{"typing", "SELECT 1;\r", "SELECT 1;", nil},
		{"backspace over Chinese", "'青山区'\x7f\x7f\r", "'青山", nil},
		{"insert in the middle", "'青区'\x1b[D\x1b[D山\r", "'青山区'", nil},
		{"home and end", "ELECT\x01S\x05 1\r", "SELECT 1", nil},
		{"ctrl-u and ctrl-k", "abc def\x1b[D\x1b[D\x0b\x01\x15x\r", "xabc d", nil},
		{"ctrl-w", "SELECT district\x17region\r", "SELECT region", nil},
		{"delete key", "abc\x01\x1b[3~\r", "bc", nil},
		{"history up and down", "\x1b[A\x1b[A\x1b[A\x1b[B\r", "SELECT 2;", nil},
		{"history up twice", "\x1b[A\x1bOA\r", "SELECT 1;", nil},
		{"history keeps the line typed", "SEL\x1b[A\x1b[B\r", "SEL", nil},
		{"ctrl-c", "SELECT 'never\x03", "", errInterrupt},
		{"ctrl-d on an empty line", "\x04", "", io.EOF},
		{"ctrl-d deletes otherwise", "ab\x01\x04\r", "b", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			ed := newEditor(strings.NewReader(tt.keys), &out, hist, func() int { return 80 })
			got, err := ed.readLine("shequ> ")
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// The cursor is placed by display width: a Chinese character is two
// columns wide.
func TestEditorCursorByDisplayWidth(t *testing.T) {
	var out bytes.Buffer
	ed := newEditor(strings.NewReader("青山区\x1b[D\r"), &out, nil, func() int { return 80 })
	if _, err := ed.readLine("> "); err != nil {
		t.Fatal(err)
	}
	// After ←, the last redraw puts the cursor after "> 青山": column 2+4.
	draws := strings.Split(out.String(), "\r> ")
	if last := draws[len(draws)-2]; !strings.HasSuffix(last, "\x1b[6C") {
		t.Errorf("redraw after ← = %q, want the cursor at column 6", last)
	}
}

// A line wider than the terminal scrolls sideways: the redraw never
// writes more than the terminal's width.
func TestEditorScrollsLongLines(t *testing.T) {
	var out bytes.Buffer
	long := strings.Repeat("社区", 30) // 120 columns
	ed := newEditor(strings.NewReader(long+"\r"), &out, nil, func() int { return 40 })
	got, err := ed.readLine("> ")
	if err != nil || got != long {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, d := range strings.Split(out.String(), "\r") {
		d = strings.SplitN(d, "\x1b[K", 2)[0]
		if w := len([]rune(d)); w > 40 {
			t.Errorf("a redraw writes %d runes on a 40-column terminal: %q", w, d)
		}
	}
}

func session(t *testing.T) (*Session, *bytes.Buffer) {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Options{Command: "console test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.DB.Exec(`CREATE TABLE marts.coverage AS SELECT 2014 AS year, '青山区' AS district, 'urban' AS urban_rural,
		10::BIGINT AS communities, 9::BIGINT AS covered`); err != nil {
		t.Fatal(err)
	}
	conn, err := w.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var out bytes.Buffer
	return NewSession(&out, conn), &out
}

func TestSession(t *testing.T) {
	s, out := session(t)
	ctx := context.Background()
	step := func(line, want string) {
		t.Helper()
		out.Reset()
		s.Line(ctx, line)
		if !strings.Contains(out.String(), want) {
			t.Errorf("after %q the output\n%s\nlacks\n%s", line, out.String(), want)
		}
	}
	step("SELECT district, covered", "")
	if out.Len() != 0 || s.buf.Len() == 0 {
		t.Errorf("an unfinished statement ran or was dropped: %q", out.String())
	}
	step("FROM marts.coverage;", "district │ covered\n─────────┼────────\n青山区   │       9\n(1 row)\n")
	step(".mode csv", "")
	step("SELECT district, communities - covered AS uncovered FROM marts.coverage;", "district,uncovered\n青山区,1\n")
	step(".mode json", "")
	step("SELECT 1 AS n;", `[`+"\n"+`  {"n": 1}`+"\n]")
	step(".mode table", "")
	step(".timer on", "")
	step("SELECT 1 AS n;", "Run Time: ")
	step(".timer off", "")
	step("DELETE FROM marts.coverage;", "Error: 已拒绝：DELETE")
	step("SET threads = 1;", "ok")
	step("SELECT nope FROM marts.coverage;", `Referenced column "nope" not found`)
	step(".tables marts", "marts.coverage │ table │ How far purchased services cover")
	step(".schema coverage", "covered     │ BIGINT  │ of them, listed in community_codes")
	step(".schema nothing", "no table or view nothing")
	step(".mode pdf", "Error: .mode takes table, csv, json or markdown")
	step(".frob", "unknown command .frob")
	step(".queries", "uncovered_communities")
	if _, quit := s.Line(ctx, ".quit"); !quit {
		t.Error(".quit did not quit")
	}
	// History records whole statements as typed.
	if ran, _ := s.Line(ctx, "SELECT 1;"); len(ran) != 1 || ran[0] != "SELECT 1;" {
		t.Errorf("ran %q", ran)
	}
}

func TestHistoryFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state", "history")
	h := loadHistory(file)
	h.remember(file, "SELECT district\nFROM marts.coverage;")
	h.remember(file, "SELECT district\nFROM marts.coverage;") // a repeat is kept once
	h.remember(file, ".tables")
	h2 := loadHistory(file)
	if h2.Len() != 2 || h2.At(0) != ".tables" || h2.At(1) != "SELECT district FROM marts.coverage;" {
		t.Errorf("history %q", h2.entries)
	}
}
