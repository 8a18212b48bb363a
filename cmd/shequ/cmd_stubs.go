package main

import (
	"context"
	"sync"
)

var stubsOnce sync.Once

// addStubs registers the commands whose issues are still open: they say so
// plainly and exit non-zero. Called once all files' init have run.
func addStubs() {
	for _, s := range []struct{ name, summary, issue string }{
		{"report", "write the Excel, HTML, CSV and Parquet reports", "issue #5, reports"},
		{"serve", "run the scheduled jobs and answer /healthz", "issue #6, schedules"},
		{"schedules", "list the schedules and their next run times", "issue #6, schedules"},
		{"query", "run a saved analyst query with parameters", "issue #7, saved queries"},
		{"template", "write the blank submission workbook for districts", "issue #3, templates"},
		{"receipts", "list the receipts (回执) written for districts", "issue #3, receipts"},
		{"gen", "generate a realistic city or province of submissions", "issue #8, performance"},
	} {
		s := s
		if lookup(s.name) != nil {
			continue
		}
		register(&command{
			name: s.name, summary: s.summary + " (not built yet)",
			usage: "Usage: shequ " + s.name + "\n\nNot built yet: " + s.issue + ".",
			run: func(ctx context.Context, e *env, args []string) error {
				if _, err := e.parse(lookup(s.name), args, 0, nil); err != nil {
					return err
				}
				return notYet(s.name, s.issue)
			},
		})
	}
}
