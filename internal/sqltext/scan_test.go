package sqltext

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBlankKeepsLines(t *testing.T) {
	src := "a -- x\n'b\nc' /* d\ne */ f"
	got := Blank(src)
	if want := "a     \n  \n       \n     f"; got != want {
		t.Errorf("Blank = %q, want %q", got, want)
	}
}

func TestTrimStatement(t *testing.T) {
	tests := map[string]string{
		"SELECT 1":                "SELECT 1",
		"SELECT 1;\n\n":           "SELECT 1",
		"SELECT 1 ; -- done\n":    "SELECT 1 -- done",
		"SELECT ';'":              "SELECT ';'",
		"SELECT 1\n-- trailing\n": "SELECT 1\n-- trailing",
		`SELECT "a;"`:             `SELECT "a;"`,
		"SELECT $$;$$;":           "SELECT $$;$$",
	}
	for in, want := range tests {
		if got := TrimStatement(in); got != want {
			t.Errorf("TrimStatement(%q) = %q, want %q", in, got, want)
		}
	}
}

// The cases on which the scanners of models and queries used to disagree
// ("…" identifiers, $$ strings, nested comments), and their neighbours.
func TestScan(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		blanked string
		stmts   int  // statements Split finds
		open    bool // ends inside a span
	}{
		{"quoted identifier holds a semicolon", `SELECT "a;b" FROM t`, `SELECT       FROM t`, 1, false},
		{"quoted identifier holds a comment start", `SELECT "--x", 1; SELECT 2`, `SELECT      , 1; SELECT 2`, 2, false},
		{"doubled quote in an identifier", `SELECT "a""b;" ;`, `SELECT         ;`, 1, false},
		{"unclosed identifier", `SELECT "a;`, `SELECT    `, 1, true},
		{"dollar string", "SELECT $$ ; 'x $$;", "SELECT           ;", 1, false},
		{"tagged dollar string", "SELECT $fn$ $$ ; $fn$ AS f;", "SELECT                AS f;", 1, false},
		{"unclosed dollar string", "SELECT $q$ ;", "SELECT      ", 1, true},
		{"dollar parameters are code", "SELECT $1, $year; SELECT $2$", "SELECT $1, $year; SELECT $2$", 2, false},
		{"digit tag is a parameter", "SELECT $1$ ;", "SELECT $1$ ;", 1, false},
		{"dollar after an identifier", "SELECT a$b$ ; SELECT 1", "SELECT a$b$ ; SELECT 1", 2, false},
		{"nested block comments", "/* a /* b */ ; */ SELECT 1;", "                  SELECT 1;", 1, false},
		{"unclosed block comment", "SELECT 1 /* ;", "SELECT 1     ", 1, true},
		{"line comment ends at the newline", "SELECT 1 -- ;\n;", "SELECT 1     \n;", 1, false},
		{"doubled quote in a string", "SELECT 'it''s;'", "SELECT         ", 1, false},
		{"E string backslash", `SELECT E'\' ;' ; SELECT 2`, `SELECT E       ; SELECT 2`, 2, false},
		{"backslash is no escape in a plain string", `SELECT '\' ;' ;`, `SELECT     ;   `, 1, true},
		{"string holds a quote of the other kind", `SELECT '"', ";"`, `SELECT    ,    `, 1, false},
		{"multi-byte text", "SELECT '名;称' AS 名称; SELECT 1", "SELECT " + strings.Repeat(" ", len("'名;称'")) + " AS 名称; SELECT 1", 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Scan(tt.src)
			if s.Blanked != tt.blanked {
				t.Errorf("Blanked = %q, want %q", s.Blanked, tt.blanked)
			}
			if got := len(s.Statements()); got != tt.stmts {
				t.Errorf("%d statements, want %d: %+v", got, tt.stmts, s.Statements())
			}
			if s.Open() != tt.open {
				t.Errorf("Open = %v, want %v", s.Open(), tt.open)
			}
		})
	}
}

// Split's cases are queries' TestSplit (queries.Split is Split); a text of
// comments only has no statement.
func TestSplitComments(t *testing.T) {
	if got := Split("-- nothing\n; /* */ ;"); got != nil {
		t.Errorf("Split of comments = %+v, want none", got)
	}
}

func TestComplete(t *testing.T) {
	tests := map[string]bool{
		"SELECT 1;":          true,
		"SELECT 1":           false,
		"SELECT 1; -- done":  true,
		"SELECT \"a;":        false,
		"SELECT $$;":         false,
		"SELECT $$;$$;":      true,
		"SELECT 1 /* ; */":   false,
		"SELECT 1 /* /* */;": false,
	}
	for src, want := range tests {
		if got := Complete(src); got != want {
			t.Errorf("Complete(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	s := Scan(`(( select "Row", p.coverage_target_urban -- hidden
	FROM "x""y" /* z */, 'w'`)
	if got := s.FirstKeyword(); got != "SELECT" {
		t.Errorf("FirstKeyword = %q", got)
	}
	if got, want := s.Identifiers(), []string{"coverage_target_urban", "from", "p", "row", "select", `x"y`}; !reflect.DeepEqual(got, want) {
		t.Errorf("Identifiers = %q, want %q", got, want)
	}
	if got, want := s.Tokens(), []string{"(", "(", "select", ",", "p", ".", "coverage_target_urban", "FROM", ","}; !reflect.DeepEqual(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
	if got := Scan("  1 + 1").FirstKeyword(); got != "" {
		t.Errorf("FirstKeyword of a number = %q", got)
	}
	got := Scan("SELECT $year, '$notme', $district -- $nor_me\n, $$ $x $$, $year, $1").Params()
	if want := []string{"year", "district"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Params = %q, want %q", got, want)
	}
}

// FuzzScan checks what every caller of the scanner relies on: the blanked
// text keeps the length and the newlines of the source, and differs from
// it only inside the spans, which are ordered and do not overlap; splitting
// gives statements whose text is in the source, in order, and a text that
// ends inside nothing and with a semicolon splits the same with one more
// statement appended.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"SELECT 1;", `SELECT "a;b", 'c''d', $$e;$$, $t$ $$ $t$ -- f`, "/* a /* b */ c */ ;", `E'\'' ;`,
		"SELECT $1, $x$ ;", "'名;称'", "\"", "$", "/*", "--", "a$b$c$", "e'\\", "$$$$", "'\n;'\n;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s := Scan(src)
		if len(s.Blanked) != len(src) {
			t.Fatalf("Blanked has %d bytes, the source %d", len(s.Blanked), len(src))
		}
		inSpan := make([]bool, len(src))
		end := 0
		for k, sp := range s.Spans {
			if sp.Start < end || sp.End <= sp.Start || sp.End > len(src) {
				t.Fatalf("span %d %+v after %d", k, sp, end)
			}
			if sp.Open && k != len(s.Spans)-1 {
				t.Fatalf("open span %d is not the last", k)
			}
			end = sp.End
			for i := sp.Start; i < sp.End; i++ {
				inSpan[i] = true
			}
		}
		for i := range len(src) {
			switch b := s.Blanked[i]; {
			case (src[i] == '\n') != (b == '\n'):
				t.Fatalf("newline at %d not kept", i)
			case !inSpan[i] && b != src[i]:
				t.Fatalf("code at %d changed", i)
			case inSpan[i] && b != ' ' && b != '\n':
				t.Fatalf("span byte at %d not blanked", i)
			}
		}
		if Scan(s.Blanked).Blanked != s.Blanked {
			t.Fatalf("blanking is not idempotent on %q", s.Blanked)
		}
		stmts := s.Statements()
		from := 0
		for _, st := range stmts {
			i := strings.Index(src[from:], st.Text)
			if st.Text == "" || i < 0 {
				t.Fatalf("statement %q is not in the source after %d", st.Text, from)
			}
			if st.Line != s.Line(from+i) {
				t.Fatalf("statement %q at line %d, found at line %d", st.Text, st.Line, s.Line(from+i))
			}
			from += i + len(st.Text)
		}
		if !s.Open() && utf8.ValidString(src) && !strings.HasSuffix(strings.TrimSpace(src), "\\") {
			more := Split(src + "\n;SELECT 1")
			if len(more) != len(stmts)+1 || more[len(more)-1].Text != "SELECT 1" {
				t.Fatalf("a statement appended after %q: %+v", src, more)
			}
		}
		_ = TrimStatement(src)
		_ = s.Identifiers()
		_ = s.Params()
		_ = s.FirstKeyword()
		_ = Complete(src)
	})
}
