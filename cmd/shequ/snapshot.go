package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"shequ/warehouse"
)

// publish is called after every successful build, while the writer still
// holds the warehouse: it publishes the read-only snapshot that `shequ sql`,
// `shequ query` and analysts' own DuckDB clients read, so that reading
// never waits for the writer and never keeps it out (see warehouse.OpenReader).
// Only a build publishes: after an ingest alone the marts would disagree
// with the raw rows, and the pipeline builds after every ingest.
func (e *env) publish(ctx context.Context, w *warehouse.Warehouse) error {
	s, err := w.PublishSnapshot(ctx)
	if err != nil {
		return err
	}
	e.log.Info("snapshot published", "path", s.Path, "bytes", s.Size, "took", s.Took)
	if !e.quiet {
		fmt.Fprintf(e.stdout, "snapshot: %s for readers (%.1f MB) in %s\n", filepath.Base(s.Path), float64(s.Size)/1e6, s.Took.Round(time.Millisecond))
	}
	return nil
}
