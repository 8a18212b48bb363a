package sqltext

import (
	"regexp"
	"strings"
)

// An Annotation is one `-- @key name: value` line of a file's header.
// For `-- @column year: the year` Key is "column", Name "year" and Value
// "the year"; for `-- @materialized: table` Name is empty.
type Annotation struct {
	Key   string
	Name  string
	Value string
	Line  int // 1-based line of the annotation in its file
}

// LineError is a problem at one line of a text being parsed.
type LineError struct {
	Line int
	Msg  string
}

var annotationRE = regexp.MustCompile(`^--\s*@([A-Za-z_][A-Za-z0-9_]*)\s*([^:]*?)\s*:\s*(.*?)\s*$`)

// ParseAnnotations reads the header of an SQL file (a model or a saved
// query): the comment and blank lines before the first line of SQL. A
// header line `-- @key name: value` is an annotation; a comment line
// indented by two or more spaces after `--` continues the annotation above
// it (for long descriptions and assertions); other comment lines are free
// text. It returns the annotations, the line on which the SQL starts (0 if
// there is none), and the malformed lines, including annotations written
// below the header, which would otherwise be silently ignored.
func ParseAnnotations(src string) (anns []Annotation, bodyLine int, errs []LineError) {
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	inHeader := true
	last := -1 // index in anns of the annotation a continuation extends
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimSpace(raw)
		if inHeader && line == "" {
			last = -1
			continue
		}
		if !strings.HasPrefix(line, "--") {
			if inHeader {
				inHeader = false
				bodyLine = n
			}
			continue
		}
		text := strings.TrimPrefix(line, "--")
		isAnn := strings.HasPrefix(strings.TrimSpace(text), "@")
		if !inHeader {
			if isAnn {
				errs = append(errs, LineError{n, "annotation below the first line of SQL is ignored: move it to the header"})
			}
			continue
		}
		if isAnn {
			m := annotationRE.FindStringSubmatch(line)
			if m == nil {
				errs = append(errs, LineError{n, "malformed annotation: write `-- @key: value` or `-- @key name: value`"})
				last = -1
				continue
			}
			anns = append(anns, Annotation{Key: strings.ToLower(m[1]), Name: m[2], Value: m[3], Line: n})
			last = len(anns) - 1
			continue
		}
		if last >= 0 && (strings.HasPrefix(text, "  ") || strings.HasPrefix(text, "\t")) {
			cont := strings.TrimSpace(text)
			if anns[last].Value == "" {
				anns[last].Value = cont
			} else {
				anns[last].Value += "\n" + cont
			}
			continue
		}
		last = -1
	}
	return anns, bodyLine, errs
}

// SplitTop splits an annotation's value at sep characters that are outside
// parentheses and quotes, trimming each part and dropping empty ones:
// "unique(a, b), not_null" is "unique(a, b)" and "not_null".
func SplitTop(s string, sep rune) []string {
	var parts []string
	depth := 0
	var quote rune
	start := 0
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case r == sep && depth == 0:
			if p := strings.TrimSpace(s[start:i]); p != "" {
				parts = append(parts, p)
			}
			start = i + 1
		}
	}
	if p := strings.TrimSpace(s[start:]); p != "" {
		parts = append(parts, p)
	}
	return parts
}
