package models

import (
	"regexp"
	"strings"
)

var refRE = regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9_."])(raw|staging|intermediate|marts|policy)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)`)

// A rawRef is a `schema.name` token found in SQL text.
type rawRef struct {
	Name string // lower-case schema.name
	Line int    // 1-based, counted from the start of the scanned text
}

// scanRefs finds the `schema.name` references of blanked SQL text
// (sqltext.Blank), in order of appearance, each once (at its first line).
func scanRefs(blanked string) []rawRef {
	var out []rawRef
	seen := map[string]bool{}
	for _, m := range refRE.FindAllStringSubmatchIndex(blanked, -1) {
		name := strings.ToLower(blanked[m[2]:m[3]] + "." + blanked[m[4]:m[5]])
		if seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, rawRef{Name: name, Line: 1 + strings.Count(blanked[:m[2]], "\n")})
	}
	return out
}

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// extraStatementLine returns the line of a semicolon that ends a statement
// before the end of the blanked text (0 when the text is one statement).
func extraStatementLine(blanked string) int {
	code := strings.TrimRight(blanked, " \t\r\n;")
	if i := strings.IndexByte(code, ';'); i >= 0 {
		return 1 + strings.Count(code[:i], "\n")
	}
	return 0
}
