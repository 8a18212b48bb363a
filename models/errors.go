package models

import (
	"errors"
	"fmt"
	"strings"
)

// FileError is one problem found in one file of a model project, at a
// line (0 when it concerns the whole file).
type FileError struct {
	File string // display path, e.g. models/marts/coverage.sql
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// ErrorList holds every problem found while loading a project or a policy
// file, in file and line order. Load reports all of them at once instead of
// stopping at the first.
type ErrorList []*FileError

func (l ErrorList) Error() string {
	var b strings.Builder
	if len(l) == 1 {
		return l[0].Error()
	}
	fmt.Fprintf(&b, "%d problems:", len(l))
	for _, e := range l {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual errors for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

func (l *ErrorList) add(file string, line int, format string, args ...any) {
	*l = append(*l, &FileError{File: file, Line: line, Err: fmt.Errorf(format, args...)})
}

func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// ModelError is the failure of one model during a build: the database's
// message, located in the model's file. Line is 0 when the database named
// no line.
type ModelError struct {
	Model string
	File  string
	Line  int
	Err   error
}

func (e *ModelError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("model %s (%s): %v", e.Model, loc, e.Err)
}

func (e *ModelError) Unwrap() error { return e.Err }

// Sentinel errors a caller may test with errors.Is.
var (
	// ErrBuildFailed is wrapped by Build's error when a model failed.
	ErrBuildFailed = errors.New("build failed")
	// ErrTestsFailed is wrapped by Test's error when a data test failed.
	ErrTestsFailed = errors.New("data tests failed")
	// ErrNoMatch is wrapped when a selection names no model.
	ErrNoMatch = errors.New("no model matches")
)
