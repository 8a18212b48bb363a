package schedules

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a schedule definition: where it is (file,
// line, field) and why, in words that say what to write instead.
type Problem struct {
	File   string
	Line   int // 0 when the problem is the whole file
	Field  string
	Reason string
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Field != "" {
		b.WriteString(": ")
		b.WriteString(p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Reason)
	return b.String()
}

// Problems is every problem found in a set of definitions; Load returns it
// as its error so that all of them are fixed in one go.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	n := "problem"
	if len(ps) != 1 {
		n = "problems"
	}
	return fmt.Sprintf("%d %s in the schedule definitions; nothing was scheduled:\n  %s", len(ps), n, strings.Join(lines, "\n  "))
}

// collector gathers the problems of one file.
type collector struct {
	file string
	ps   Problems
}

func (c *collector) add(line int, field, format string, a ...any) {
	c.ps = append(c.ps, Problem{File: c.file, Line: line, Field: field, Reason: fmt.Sprintf(format, a...)})
}
