package sqltext

import (
	"regexp"
	"strconv"
	"strings"
)

// lineRE is DuckDB's "LINE n:" at the start of a line of an error message,
// followed by the statement's line and, on the next line, a caret under
// the place of the error.
var lineRE = regexp.MustCompile(`(?m)^LINE (\d+):`)

// ErrorLine returns the statement line DuckDB names first in an error
// message ("LINE 14: …"), or 0.
func ErrorLine(msg string) int {
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// MapErrorLines rewrites every "LINE n:" of a DuckDB error message as
// label(n) says ("LINE 20:" for the line of the whole text, "line 14:" for
// the line of a model's file); a label of "" keeps it. A caret line below
// it moves by as many columns as the label grew or shrank, so that it
// still points at the same character.
func MapErrorLines(msg string, label func(n int) string) string {
	if !lineRE.MatchString(msg) {
		return msg
	}
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		m := lineRE.FindStringSubmatchIndex(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(l[m[2]:m[3]])
		repl := label(n)
		if repl == "" {
			continue
		}
		old := l[:m[1]]
		lines[i] = repl + l[m[1]:]
		if i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "^" {
			caret := lines[i+1]
			if d := len(repl) - len(old); d > 0 {
				caret = strings.Repeat(" ", d) + caret
			} else if d < 0 && strings.HasPrefix(caret, strings.Repeat(" ", -d)) {
				caret = caret[-d:]
			}
			lines[i+1] = caret
		}
	}
	return strings.Join(lines, "\n")
}
