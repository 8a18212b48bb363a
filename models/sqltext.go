package models

import (
	"regexp"
	"sort"
	"strings"
)

// blankSQL returns src with its comments and string literals replaced by
// spaces, newlines kept, so that what remains can be scanned for names
// while every offset still points at the same line.
func blankSQL(src string) string {
	b := []byte(src)
	blank := func(i int) {
		if b[i] != '\n' {
			b[i] = ' '
		}
	}
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '-' && i+1 < len(b) && b[i+1] == '-':
			for ; i < len(b) && b[i] != '\n'; i++ {
				blank(i)
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			blank(i)
			blank(i + 1)
			for i += 2; i < len(b); i++ {
				if b[i] == '*' && i+1 < len(b) && b[i+1] == '/' {
					blank(i)
					blank(i + 1)
					i++
					break
				}
				blank(i)
			}
		case b[i] == '\'':
			blank(i)
			for i++; i < len(b); i++ {
				if b[i] == '\'' {
					if i+1 < len(b) && b[i+1] == '\'' {
						blank(i)
						blank(i + 1)
						i++
						continue
					}
					blank(i)
					break
				}
				blank(i)
			}
		}
	}
	return string(b)
}

// schemas whose names the reference scanner looks for.
var refSchemas = map[string]bool{"raw": true, "staging": true, "intermediate": true, "marts": true, "policy": true}

var refRE = regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9_."])(raw|staging|intermediate|marts|policy)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)`)

// A rawRef is a `schema.name` token found in SQL text.
type rawRef struct {
	Name string // lower-case schema.name
	Line int    // 1-based, counted from the start of the scanned text
}

// scanRefs finds the `schema.name` references of blanked SQL text, in
// order of appearance, each once (at its first line).
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

// identifiers returns the distinct lower-case identifiers of blanked SQL,
// sorted.
func identifiers(blanked string) []string {
	seen := map[string]bool{}
	for _, id := range identRE.FindAllString(blanked, -1) {
		seen[strings.ToLower(id)] = true
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// trimStatement removes trailing whitespace and one trailing semicolon
// (with the whitespace before it) from a model's SQL.
func trimStatement(src string) string {
	s := strings.TrimRight(src, " \t\r\n")
	blanked := blankSQL(s)
	// A trailing comment may follow the semicolon: only strip a semicolon
	// that ends the code.
	code := strings.TrimRight(blanked, " \t\r\n")
	if strings.HasSuffix(code, ";") {
		i := len(code) - 1
		s = strings.TrimRight(s[:i], " \t\r\n") + s[i+1:]
		s = strings.TrimRight(s, " \t\r\n")
	}
	return s
}

// extraStatementLine returns the line of a semicolon that ends a statement
// before the end of the blanked text (0 when the text is one statement).
func extraStatementLine(blanked string) int {
	code := strings.TrimRight(blanked, " \t\r\n;")
	if i := strings.IndexByte(code, ';'); i >= 0 {
		return 1 + strings.Count(code[:i], "\n")
	}
	return 0
}

var firstWordRE = regexp.MustCompile(`^[\s(]*([A-Za-z]+)`)

// firstKeyword is the upper-cased first word of blanked SQL.
func firstKeyword(blanked string) string {
	m := firstWordRE.FindStringSubmatch(blanked)
	if m == nil {
		return ""
	}
	return strings.ToUpper(m[1])
}
