package main

import (
	"context"
	"database/sql"
	"fmt"

	"shequ/warehouse"
)

// openRead opens the warehouse for reading only: the snapshot published by
// the last successful build, so that a reader never waits for a writer and
// never keeps one out. The session is sandboxed (warehouse.Options.Sandbox):
// analysts' SQL runs in it, and it reaches no file but the warehouse, no
// extension, and no setting.
func (e *env) openRead(ctx context.Context) (*sql.DB, func(), error) {
	w, _, err := e.openReader(ctx)
	if err != nil {
		return nil, nil, err
	}
	return w.DB, func() { w.Close() }, nil
}

// openReader is openRead that also says what it opened. Without a
// snapshot it reads the warehouse file itself, and says so: while it is
// open no writer can start.
func (e *env) openReader(ctx context.Context) (*warehouse.Warehouse, warehouse.Source, error) {
	w, src, err := warehouse.OpenReader(ctx, e.cfg.Warehouse, warehouse.Options{Sandbox: true})
	if err != nil {
		return nil, src, err
	}
	if !src.Snapshot {
		fmt.Fprintf(e.stderr, "note: no read-only snapshot of %s has been published yet (`shequ build` publishes one); "+
			"reading the warehouse file itself, which keeps writers out until this command ends\n", e.cfg.Warehouse)
	}
	return w, src, nil
}
