package queries

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"shequ/internal/sqltext"
)

// StatementError is a statement that failed, with where it is: DuckDB's
// message (with its "LINE n:" and caret, renumbered to the line of the
// whole text) or the refusal.
type StatementError struct {
	Stmt  Statement
	Index int    // 1-based among the text's statements
	Of    int    // how many statements the text has
	File  string // the text's file, if any
	Err   error
}

func (e *StatementError) Error() string {
	where := ""
	switch {
	case e.Of > 1 && e.File != "":
		where = fmt.Sprintf("statement %d at line %d of %s: ", e.Index, e.Stmt.Line, e.File)
	case e.Of > 1:
		where = fmt.Sprintf("statement %d at line %d: ", e.Index, e.Stmt.Line)
	case e.File != "":
		where = fmt.Sprintf("%s: ", e.File)
	}
	return where + e.Err.Error()
}

func (e *StatementError) Unwrap() error { return e.Err }

// Explain turns a DuckDB error of a statement that starts at line first of
// its text into one whose "LINE n:" counts from the start of the text,
// with the caret under it moved to match; and DuckDB's own read-only
// refusal into a RefusedError.
func Explain(err error, first int) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if m := readOnlyRE.FindStringSubmatch(msg); m != nil {
		return &RefusedError{Keyword: m[1], Hint: hintKeep}
	}
	if r := explainSandbox(msg); r != nil {
		return r
	}
	if first <= 1 || sqltext.ErrorLine(msg) == 0 {
		return err
	}
	msg = sqltext.MapErrorLines(msg, func(n int) string { return fmt.Sprintf("LINE %d:", n+first-1) })
	return &explained{msg: msg, err: err}
}

// DuckDB's refusals in a sandboxed session (warehouse.Options.Sandbox).
var (
	noFileRE      = regexp.MustCompile(`Cannot access (?:file|directory) "([^"]*)" - file system operations are disabled by configuration`)
	lockedRE      = regexp.MustCompile(`Cannot change configuration option "([^"]*)" - the configuration has been locked`)
	noExtensionRE = regexp.MustCompile(`(?:Loading|Installing) (?:external )?extensions is disabled`)
	inExtensionRE = regexp.MustCompile(`with name (\S+) is not in the catalog, but it exists in the (\S+) extension`)
)

// explainSandbox turns DuckDB's refusal of a file, a setting or an
// extension in an analyst's session into a RefusedError in plain words,
// or returns nil.
func explainSandbox(msg string) error {
	if m := noFileRE.FindStringSubmatch(msg); m != nil {
		return &RefusedError{Reason: fmt.Sprintf("%s; the statement asked for %q", reasonFiles, m[1]), Hint: hintAttach}
	}
	if m := lockedRE.FindStringSubmatch(msg); m != nil {
		return &RefusedError{Keyword: "SET", Reason: fmt.Sprintf("%s cannot be changed: %s", m[1], reasonLocked)}
	}
	if noExtensionRE.MatchString(msg) {
		return &RefusedError{Keyword: "LOAD", Reason: reasonExtensions}
	}
	if m := inExtensionRE.FindStringSubmatch(msg); m != nil {
		return &RefusedError{Reason: fmt.Sprintf("%s needs DuckDB's %s extension: %s", m[1], m[2], reasonExtensions)}
	}
	return nil
}

var readOnlyRE = regexp.MustCompile(`Cannot execute statement of type "([A-Z_ ]+)" on database "[^"]*" which is attached in read-only mode`)

type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// Exec checks one statement and runs it.
func Exec(ctx context.Context, db Querier, s Statement) (*Result, error) {
	if err := Check(s.Text); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, Rewrite(s.Text))
	if err != nil {
		return nil, Explain(err, s.Line)
	}
	res, err := Collect(rows)
	if err != nil {
		return nil, Explain(err, s.Line)
	}
	return res, nil
}

// Rewrite turns a statement that would surprise an analyst into what was
// meant: DuckDB's SHOW TABLES lists the tables of the current schema (main,
// which is empty here), so SHOW TABLES lists every schema's (SHOW ALL
// TABLES). Anything else is returned as it is.
func Rewrite(stmt string) string {
	toks := sqltext.Scan(stmt).Tokens()
	for len(toks) > 0 && toks[len(toks)-1] == ";" {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 2 && strings.EqualFold(toks[0], "SHOW") && strings.EqualFold(toks[1], "TABLES") {
		return "SHOW ALL TABLES"
	}
	return stmt
}

// CheckAll checks every statement of a script before any runs, and
// returns every refusal at once.
func CheckAll(stmts []Statement, file string) error {
	var errs []error
	for i, s := range stmts {
		if err := Check(s.Text); err != nil {
			errs = append(errs, &StatementError{Stmt: s, Index: i + 1, Of: len(stmts), File: file, Err: err})
		}
	}
	return errors.Join(errs...)
}
