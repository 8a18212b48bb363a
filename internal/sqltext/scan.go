// Package sqltext is the one home for reading SQL text: the `-- @key: value`
// header annotations of models and saved queries, the scanner that tells
// code from comments, strings and quoted identifiers (and so splits a text
// into statements), and the mapping of DuckDB's "LINE n:" in an error
// message to the line of the file the statement came from.
//
// The scanner knows what DuckDB's parser knows: -- line comments, /* */
// block comments (nested), strings in single quotes (a quote doubled
// inside; E-strings also take backslash escapes), identifiers in double
// quotes (a quote doubled inside), and $tag$…$tag$ dollar-quoted strings
// ($1 and $name are parameters, not quotes).
package sqltext

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// A Kind is what a span of SQL text that is not code is.
type Kind uint8

// The kinds of span the scanner blanks.
const (
	Comment Kind = iota + 1 // -- … or /* … */
	String                  // '…' or E'…'
	Ident                   // "…"
	Dollar                  // $tag$…$tag$
)

// A Span is one comment, string, quoted identifier or dollar-quoted string
// of a text: Src[Start:End], delimiters included.
type Span struct {
	Kind       Kind
	Start, End int
	Open       bool // the text ends before the span is closed
}

// Text is SQL text as scanned.
type Text struct {
	Src string
	// Blanked is Src with every span replaced by spaces, newlines kept:
	// the same length and lines as Src, so that keywords, names and
	// semicolons can be found with offsets that still point into Src.
	Blanked string
	Spans   []Span
}

// Scan scans src.
func Scan(src string) Text {
	n := len(src)
	var spans []Span
	add := func(k Kind, from, to int, open bool) int {
		to = min(to, n)
		spans = append(spans, Span{Kind: k, Start: from, End: to, Open: open})
		return to
	}
	i := 0
	for i < n {
		c := src[i]
		switch {
		case c == '-' && i+1 < n && src[i+1] == '-':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = n - i
			}
			i = add(Comment, i, i+j, false)
		case c == '/' && i+1 < n && src[i+1] == '*':
			j, depth := i+2, 1
			for j < n && depth > 0 {
				switch {
				case src[j] == '*' && j+1 < n && src[j+1] == '/':
					depth--
					j += 2
				case src[j] == '/' && j+1 < n && src[j+1] == '*':
					depth++
					j += 2
				default:
					j++
				}
			}
			i = add(Comment, i, j, depth > 0)
		case c == '\'' || c == '"':
			// E'…' strings take backslash escapes.
			esc := c == '\'' && i > 0 && (src[i-1] == 'E' || src[i-1] == 'e') && (i < 2 || !identByte(src[i-2]))
			j, closed := i+1, false
			for j < n {
				if esc && src[j] == '\\' {
					j += 2
					continue
				}
				if src[j] == c {
					if j+1 < n && src[j+1] == c { // a doubled quote
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				j++
			}
			k := String
			if c == '"' {
				k = Ident
			}
			i = add(k, i, j, !closed)
		case c == '$' && (i == 0 || !identByte(src[i-1])):
			// $tag$…$tag$ or $$…$$; $name and $1 are parameters.
			j := i + 1
			for j < n && identByte(src[j]) {
				j++
			}
			if j < n && src[j] == '$' && (j == i+1 || !isDigit(src[i+1])) {
				tag := src[i : j+1]
				end := strings.Index(src[j+1:], tag)
				if end < 0 {
					i = add(Dollar, i, n, true)
					continue
				}
				i = add(Dollar, i, j+1+end+len(tag), false)
				continue
			}
			i = j
		default:
			i++
		}
	}
	b := []byte(src)
	for _, s := range spans {
		for k := s.Start; k < s.End; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
	}
	return Text{Src: src, Blanked: string(b), Spans: spans}
}

// identByte reports whether c may continue an unquoted identifier (or a
// dollar quote's tag): ASCII letters, digits, _ and every byte of a
// multi-byte UTF-8 character, as DuckDB's parser counts them.
func identByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Blank returns src with its comments, strings, quoted identifiers and
// dollar-quoted strings replaced by spaces, newlines kept (Text.Blanked).
func Blank(src string) string { return Scan(src).Blanked }

// Open reports whether the text ends inside a block comment, a string, a
// quoted identifier or a dollar-quoted string.
func (t Text) Open() bool {
	return len(t.Spans) > 0 && t.Spans[len(t.Spans)-1].Open
}

// Line returns the 1-based line of the byte at offset off.
func (t Text) Line(off int) int {
	return 1 + strings.Count(t.Src[:min(off, len(t.Src))], "\n")
}

// A Statement is one SQL statement of a text, with where it starts.
type Statement struct {
	Text string // the statement, trimmed, without its closing ;
	Line int    // 1-based line of the text where it starts
}

// Statements splits the text into its statements at the semicolons of its
// code. Statements holding only comments are dropped.
func (t Text) Statements() []Statement {
	var out []Statement
	start := 0
	add := func(end int) {
		if strings.TrimSpace(t.Blanked[start:end]) == "" {
			return
		}
		text := t.Src[start:end]
		lead := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
		out = append(out, Statement{Text: strings.TrimSpace(text), Line: t.Line(start + lead)})
	}
	for i := 0; i < len(t.Blanked); i++ {
		if t.Blanked[i] == ';' {
			add(i)
			start = i + 1
		}
	}
	add(len(t.Blanked))
	return out
}

// Split splits src into its statements (Text.Statements).
func Split(src string) []Statement { return Scan(src).Statements() }

// Complete reports whether src ends with a complete statement: its last
// character outside comments is a semicolon, not inside a string.
func Complete(src string) bool {
	t := Scan(src)
	return !t.Open() && strings.HasSuffix(strings.TrimSpace(t.Blanked), ";")
}

// TrimStatement removes trailing whitespace and one trailing semicolon
// (with the whitespace before it) from one statement; a comment after the
// semicolon is kept.
func TrimStatement(src string) string {
	s := strings.TrimRight(src, " \t\r\n")
	code := strings.TrimRight(Blank(s), " \t\r\n")
	if strings.HasSuffix(code, ";") {
		i := len(code) - 1
		s = strings.TrimRight(s[:i], " \t\r\n") + s[i+1:]
		s = strings.TrimRight(s, " \t\r\n")
	}
	return s
}

// Tokens splits the code of the text into words (identifiers, keywords and
// numbers) and single punctuation characters; comments, strings and
// quoted identifiers are not in it.
func (t Text) Tokens() []string {
	var out []string
	rs := []rune(t.Blanked)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case isIdent(r):
			j := i
			for j < len(rs) && isIdent(rs[j]) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		default:
			out = append(out, string(r))
			i++
		}
	}
	return out
}

func isIdent(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// FirstKeyword is the upper-cased first word of the code, after any
// opening parentheses; "" when the code starts otherwise.
func (t Text) FirstKeyword() string {
	for _, tok := range t.Tokens() {
		if tok == "(" {
			continue
		}
		if r := []rune(tok)[0]; unicode.IsLetter(r) || r == '_' {
			return strings.ToUpper(tok)
		}
		return ""
	}
	return ""
}

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// Identifiers returns the distinct lower-case names of the text, sorted:
// its unquoted words and the names of its quoted identifiers ("row" is
// row; DuckDB's names are case-insensitive, quoted or not).
func (t Text) Identifiers() []string {
	seen := map[string]bool{}
	for _, id := range identRE.FindAllString(t.Blanked, -1) {
		seen[strings.ToLower(id)] = true
	}
	for _, s := range t.Spans {
		if s.Kind == Ident && !s.Open && s.End-s.Start > 2 {
			seen[strings.ToLower(strings.ReplaceAll(t.Src[s.Start+1:s.End-1], `""`, `"`))] = true
		}
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Params lists the $name parameters the text uses, in order of first use
// ($1 and the like are positional and not listed).
func (t Text) Params() []string {
	var out []string
	seen := map[string]bool{}
	rs := []rune(t.Blanked)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '$' || (i > 0 && isIdent(rs[i-1])) {
			continue
		}
		j := i + 1
		for j < len(rs) && isIdent(rs[j]) {
			j++
		}
		name := string(rs[i+1 : j])
		if name != "" && !unicode.IsDigit(rs[i+1]) && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
		i = j - 1
	}
	return out
}
