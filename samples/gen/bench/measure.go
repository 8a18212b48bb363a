package bench

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/etl"
	"shequ/etl/ingest"
	"shequ/internal/files"
	"shequ/models"
	"shequ/warehouse"
)

func numCPU() int { return runtime.NumCPU() }

// benchKey keys the ID number hashes of benchmark warehouses.
var benchKey = []byte("shequ bench")

// IngestOptions say how Ingest runs.
type IngestOptions struct {
	// Receipts writes every file's receipt (回执), as shequ ingest does.
	Receipts bool
}

// Ingest copies the warehouse file base (none: an empty warehouse) to
// path, opens it and times ingest.Run on inbox. rows is the number of data
// rows the inbox holds, for the throughput.
func Ingest(ctx context.Context, base, path, inbox string, rows int, opt IngestOptions) (Timing, *ingest.Summary, error) {
	for _, p := range []string{path, path + ".wal", path + ".archive", path + ".receipts"} {
		if err := os.RemoveAll(p); err != nil {
			return Timing{}, nil, err
		}
	}
	if base != "" {
		if err := files.Copy(base, path); err != nil {
			return Timing{}, nil, err
		}
	}
	w, err := warehouse.Open(ctx, path, warehouse.Options{Command: "shequ bench"})
	if err != nil {
		return Timing{}, nil, err
	}
	defer w.Close()
	cat, err := models.ServiceCatalogue()
	if err != nil {
		return Timing{}, nil, err
	}
	o := ingest.Options{Inbox: inbox, Catalogue: cat, IDKey: benchKey}
	if opt.Receipts {
		o.Receipts = path + ".receipts"
	}
	start := time.Now()
	s, err := ingest.Run(ctx, w, o)
	t := Timing{Rows: rows, Elapsed: time.Since(start)}
	if err != nil {
		return t, s, err
	}
	if s.Quarantined > 0 {
		return t, s, fmt.Errorf("ingest: %d files quarantined", s.Quarantined)
	}
	return t, s, nil
}

// IngestMore times a second ingest.Run of inbox into the warehouse at
// path, as it is.
func IngestMore(ctx context.Context, path, inbox string, rows int) (Timing, *ingest.Summary, error) {
	w, err := warehouse.Open(ctx, path, warehouse.Options{Command: "shequ bench"})
	if err != nil {
		return Timing{}, nil, err
	}
	defer w.Close()
	cat, err := models.ServiceCatalogue()
	if err != nil {
		return Timing{}, nil, err
	}
	start := time.Now()
	s, err := ingest.Run(ctx, w, ingest.Options{Inbox: inbox, Catalogue: cat, IDKey: benchKey})
	return Timing{Rows: rows, Elapsed: time.Since(start)}, s, err
}

// Prepare makes the warehouse file at path hold inbox, checkpointed: the
// base the timed ingests start from.
func Prepare(ctx context.Context, path, inbox string) error {
	_, _, err := Ingest(ctx, "", path, inbox, 0, IngestOptions{})
	if err != nil {
		return err
	}
	w, err := warehouse.Open(ctx, path, warehouse.Options{Command: "shequ bench"})
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Checkpoint(ctx)
}

// ReadCSV is DuckDB's own CSV loading, the floor of CSV ingest: each file
// into a table of its own, CREATE TABLE … AS SELECT * FROM read_csv(file),
// through a warehouse connection, in a fresh warehouse at path.
func ReadCSV(ctx context.Context, path string, files []string, rows int) (Timing, error) {
	for _, p := range []string{path, path + ".wal"} {
		if err := os.RemoveAll(p); err != nil {
			return Timing{}, err
		}
	}
	w, err := warehouse.Open(ctx, path, warehouse.Options{Command: "shequ bench"})
	if err != nil {
		return Timing{}, err
	}
	defer w.Close()
	if _, err := w.DB.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS bench"); err != nil {
		return Timing{}, err
	}
	start := time.Now()
	for i, f := range files {
		q := fmt.Sprintf("CREATE TABLE bench.t%d AS SELECT * FROM read_csv('%s')", i, strings.ReplaceAll(f, "'", "''"))
		if _, err := w.DB.ExecContext(ctx, q); err != nil {
			return Timing{}, fmt.Errorf("%s: %w", f, err)
		}
	}
	return Timing{Rows: rows, Elapsed: time.Since(start)}, nil
}

// ExcelizeRows is a bare excelize loop over every row of every sheet of
// the workbooks: open, Rows, Next and Columns, nothing else.
func ExcelizeRows(files []string, rows int) (Timing, error) {
	start := time.Now()
	for _, path := range files {
		f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true, UnzipXMLSizeLimit: etl.DefaultLimits.MaxXMLInMemory})
		if err != nil {
			return Timing{}, err
		}
		for _, sheet := range f.GetSheetList() {
			r, err := f.Rows(sheet)
			if err != nil {
				f.Close()
				return Timing{}, err
			}
			for r.Next() {
				if _, err := r.Columns(); err != nil {
					r.Close()
					f.Close()
					return Timing{}, err
				}
			}
			r.Close()
		}
		f.Close()
	}
	return Timing{Rows: rows, Elapsed: time.Since(start)}, nil
}

// Unzip only inflates the worksheet XML of the workbooks: the floor under
// any xlsx reader.
func Unzip(files []string, rows int) (Timing, error) {
	start := time.Now()
	for _, path := range files {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return Timing{}, err
		}
		for _, zf := range zr.File {
			if !strings.HasPrefix(zf.Name, "xl/worksheets/") || !strings.HasSuffix(zf.Name, ".xml") {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				zr.Close()
				return Timing{}, err
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				zr.Close()
				return Timing{}, err
			}
		}
		zr.Close()
	}
	return Timing{Rows: rows, Elapsed: time.Since(start)}, nil
}

// Build times models.Build of every model, and the same compiled
// statements run directly on one connection (policy, then each model in
// dependency order, with no scheduling, counting or recording), rounds
// times each, alternating, after one warm-up build; it returns the fastest
// of each.
func Build(ctx context.Context, w *warehouse.Warehouse, rounds int) (build, direct Timing, err error) {
	p, err := models.LoadEmbedded()
	if err != nil {
		return build, direct, err
	}
	var plans []models.Materialization
	for _, m := range p.Models() {
		mz, err := models.Materialize(m)
		if err != nil {
			return build, direct, err
		}
		plans = append(plans, mz)
	}
	doBuild := func() error {
		r, err := p.Build(ctx, w.DB, models.BuildOptions{})
		if err != nil {
			return err
		}
		if f := r.Failed(); len(f) > 0 {
			return fmt.Errorf("model %s failed: %w", f[0].Model.Name, f[0].Err)
		}
		return nil
	}
	if err := doBuild(); err != nil {
		return build, direct, err
	}
	var bb, bd Best
	for i := 0; i < rounds; i++ {
		for k := 0; k < 2; k++ {
			start := time.Now()
			if (i+k)%2 == 0 {
				if err := doBuild(); err != nil {
					return build, direct, err
				}
				bb.Add(Timing{Elapsed: time.Since(start)})
			} else {
				if err := p.RunDirect(ctx, w.DB, plans); err != nil {
					return build, direct, err
				}
				bd.Add(Timing{Elapsed: time.Since(start)})
			}
		}
	}
	return bb.T, bd.T, nil
}
