package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"shequ/models"
	"shequ/warehouse"
)

// Baseline is the floor of the whole run (issue #19): DuckDB alone on the
// clean rows. The rows the full run loaded are written out as clean UTF-8
// CSV files, one per raw table the models read (every column, lineage
// included, since the models' staging views read it; rows a later file
// superseded included too), then timed in a fresh warehouse file: each
// file read into its raw table by DuckDB's CSV reader (COPY … FROM:
// read_csv with the table's own types), the policy tables and every
// model's compiled SQL run directly, as the build comparison runs them
// (models.RunDirect), and a CHECKPOINT, so that the data is in the file
// as after shequ's run. It leaves out what shequ does and DuckDB would not:
// finding and reading the districts' files (xlsx, GBK, messy headers),
// validating every cell, rejecting and reporting rows, receipts, the
// data tests and the reports.
type Baseline struct {
	Tables []string // the raw tables, as CSV files
	Rows   int64    // rows in the CSV files
	Bytes  int64    // size of the CSV files
	Export time.Duration
	// Load is the CSV files read into the raw tables; Models the policy
	// tables, the models and the checkpoint.
	Load, Models time.Duration
	// Marts are the mart tables compared by row count with the full
	// run's; Differ lists those whose counts differ.
	Marts  int
	Differ []string
}

// Total is the baseline's time: load and models.
func (b *Baseline) Total() time.Duration { return b.Load + b.Models }

var rawRef = regexp.MustCompile(`\braw\.([a-z_][a-z0-9_]*)`)

// MeasureBaseline exports the raw tables the models read from the
// warehouse at from (which a full run has just built, and nobody holds)
// as CSV into dir and times DuckDB alone on them (see Baseline).
func MeasureBaseline(ctx context.Context, from, dir string) (*Baseline, error) {
	p, err := models.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	var plans []models.Materialization
	read := map[string]bool{}
	for _, m := range p.Models() {
		mz, err := models.Materialize(m)
		if err != nil {
			return nil, err
		}
		plans = append(plans, mz)
		for _, s := range mz.Statements {
			for _, sm := range rawRef.FindAllStringSubmatch(s, -1) {
				read[sm[1]] = true
			}
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b := &Baseline{}
	src, err := warehouse.Open(ctx, from, warehouse.Options{Command: "shequ bench"})
	if err != nil {
		return nil, err
	}
	want, err := martCounts(ctx, src)
	if err == nil {
		start := time.Now()
		err = b.export(ctx, src, dir, read)
		b.Export = time.Since(start)
	}
	src.Close()
	if err != nil {
		return b, err
	}

	path := filepath.Join(dir, "baseline.duckdb")
	w, err := warehouse.Open(ctx, path, warehouse.Options{Command: "shequ bench"}) // the schemas and empty raw tables: not timed
	if err != nil {
		return b, err
	}
	defer w.Close()
	start := time.Now()
	for _, t := range b.Tables {
		q := fmt.Sprintf("COPY raw.%s FROM '%s' (HEADER, NULLSTR '\\N')", t, sqlString(filepath.Join(dir, t+".csv")))
		if _, err := w.DB.ExecContext(ctx, q); err != nil {
			return b, fmt.Errorf("baseline: %s: %w", t, err)
		}
	}
	b.Load = time.Since(start)
	start = time.Now()
	if err := p.RunDirect(ctx, w.DB, plans); err != nil {
		return b, fmt.Errorf("baseline: %w", err)
	}
	if err := w.Checkpoint(ctx); err != nil {
		return b, err
	}
	b.Models = time.Since(start)

	got, err := martCounts(ctx, w)
	if err != nil {
		return b, err
	}
	b.Marts = len(want)
	for t, n := range want {
		if got[t] != n {
			b.Differ = append(b.Differ, fmt.Sprintf("%s: %d rows, the full run %d", t, got[t], n))
		}
	}
	slices.Sort(b.Differ)
	return b, nil
}

// export writes each raw table of read that the warehouse has as a CSV
// file into dir.
func (b *Baseline) export(ctx context.Context, w *warehouse.Warehouse, dir string, read map[string]bool) error {
	rows, err := w.DB.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'raw' ORDER BY 1`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		if read[t] {
			b.Tables = append(b.Tables, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range b.Tables {
		f := filepath.Join(dir, t+".csv")
		var n int64
		if err := w.DB.QueryRowContext(ctx, "SELECT count(*) FROM raw."+t).Scan(&n); err != nil {
			return err
		}
		if _, err := w.DB.ExecContext(ctx, fmt.Sprintf("COPY raw.%s TO '%s' (HEADER, NULLSTR '\\N')", t, sqlString(f))); err != nil {
			return fmt.Errorf("baseline: export %s: %w", t, err)
		}
		st, err := os.Stat(f)
		if err != nil {
			return err
		}
		b.Rows += n
		b.Bytes += st.Size()
	}
	return nil
}

// martCounts counts the rows of every table of schema marts.
func martCounts(ctx context.Context, w *warehouse.Warehouse) (map[string]int64, error) {
	rows, err := w.DB.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'marts'`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, t := range names {
		var n int64
		if err := w.DB.QueryRowContext(ctx, "SELECT count(*) FROM marts."+t).Scan(&n); err != nil {
			return nil, err
		}
		out["marts."+t] = n
	}
	return out, nil
}

func sqlString(s string) string { return strings.ReplaceAll(s, "'", "''") }
