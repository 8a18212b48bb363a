package main

import (
	"context"
)

func init() {
	register(&command{
		name:    "ingest",
		summary: "load every new district file of the inbox into the warehouse",
		usage: `Usage: shequ ingest [--inbox DIR] [--warehouse FILE]

Takes every file under the inbox (recursively) that was not received
before, keeps a byte-for-byte copy, reads every sheet, validates every row
and loads each file in one transaction. Rows with errors are rejected with
a reason (see marts.rejects); unreadable files are quarantined; the run
goes on. A file received again unchanged is skipped.

Example:
  shequ ingest --inbox /srv/districts/2015Q1`,
		run: runIngest,
	})
}

func runIngest(ctx context.Context, e *env, args []string) (err error) {
	fs, err := e.parse(lookup("ingest"), args, flagWarehouse|flagInbox, nil)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	p := e.pipe()
	// A mistyped --inbox must not leave a new warehouse behind.
	if err := p.CheckInbox(); err != nil {
		return err
	}
	w, err := p.Open(ctx, "shequ ingest")
	if err != nil {
		return err
	}
	defer closeWriter(w, &err)
	// What the ingest did is visible at once: the marts of submissions,
	// rejects and data quality are built and the snapshot that sql, query
	// and receipts read is published again.
	_, err = p.IngestAndShow(ctx, w)
	return err
}
