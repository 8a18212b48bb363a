package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"shequ/models"
	"shequ/samples/gen"
	"shequ/warehouse"
)

// Options of a run of the whole suite.
type Options struct {
	Size Size
	// Data keeps the generated inboxes between runs (one folder per size).
	Data string
	// Work is scratch space: staged inboxes, warehouses.
	Work string
	// Bin is the shequ binary of the end-to-end runs; "" skips them (and
	// the build comparison, which runs on their warehouse).
	Bin string
	// Rounds is how many times each side of a ratio is timed; the fastest
	// is kept.
	Rounds int
	// Sheet1M also measures the peak RSS of ingesting a million-row sheet.
	Sheet1M bool
	// RunsOnly measures the end-to-end runs alone (with DuckDB's
	// baseline and the check against a full rebuild): no ingest, batch
	// or build comparisons, which take most of a province's suite.
	RunsOnly bool
	// Log, when set, gets a line as each step starts.
	Log io.Writer
}

// Report is what a suite run measured.
type Report struct {
	Size     Size
	Machine  string
	Go       string
	DuckDB   string
	Started  time.Time
	Elapsed  time.Duration
	Manifest *gen.Manifest
	DataDir  string
	GenTime  time.Duration // 0 when the inbox was kept from an earlier run
	// IngestYears are the years of the ingest comparisons.
	IngestYears []int

	// CSV: service-record files in UTF-8, ingested (with full validation,
	// references and supersession; without and with receipts) against
	// DuckDB's read_csv of the same files.
	CSVFiles                     int
	CSV, CSVReceipts, CSVReadCSV Timing
	GBKFiles                     int
	GBK                          Timing // the GBK/GB18030 files: DuckDB cannot read them
	XLSXFiles                    int
	XLSX, XLSXReceipts           Timing
	XLSXExcelize, XLSXUnzip      Timing
	Build, BuildDirect           Timing
	E2E                          *E2E
	Sheet1M                      *Proc
	Sheet1MRows                  int
	Sheet1MGen                   time.Duration
	Batch                        *Batch
	Steps                        []string
	// IncrementalChecked: the tables the end-to-end runs' incremental
	// builds left were compared with a full rebuild; IncrementalDiffs
	// lists the tables that differed.
	IncrementalChecked bool
	IncrementalDiffs   []string
}

func (o *Options) logf(format string, a ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, "bench: "+format+"\n", a...)
	}
}

// Run measures everything for one size.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Rounds < 1 {
		o.Rounds = 1
	}
	r := &Report{Size: o.Size, Machine: Machine(), Go: runtime.Version(), Started: time.Now()}
	r.DataDir = filepath.Join(o.Data, o.Size.Name)
	o.logf("%s: generating (or reusing) %s", o.Size.Name, r.DataDir)
	m, gt, err := Ensure(r.DataDir, o.Size)
	if err != nil {
		return r, err
	}
	r.Manifest, r.GenTime = m, gt
	work := filepath.Join(o.Work, o.Size.Name)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return r, err
	}
	if !o.RunsOnly {
		if err := r.ingest(ctx, &o, work); err != nil {
			return r, err
		}
		o.logf("%s: batch ordering and the release of waiting rows", o.Size.Name)
		b, err := MeasureBatch(ctx, r.DataDir, m, filepath.Join(work, "batch"))
		r.Batch = b
		if err != nil {
			return r, err
		}
	}
	if o.Bin != "" {
		o.logf("%s: end-to-end runs of %s", o.Size.Name, o.Bin)
		e, err := RunE2E(ctx, o.Bin, r.DataDir, m, filepath.Join(work, "e2e"), true)
		r.E2E = e
		if err != nil {
			return r, err
		}
		o.logf("%s: full run %s (peak RSS %s), after one new file %s (peak RSS %s): %.3f×; with nothing new %s: %.3f×", o.Size.Name,
			e.Full.Wall.Round(time.Millisecond), mb(e.Full.MaxRSS), e.Incremental.Wall.Round(time.Millisecond), mb(e.Incremental.MaxRSS), e.Ratio(),
			e.Unchanged.Wall.Round(time.Millisecond), e.UnchangedRatio())
		if b := e.Baseline; b != nil {
			o.logf("%s: DuckDB alone on the clean rows: read_csv %s + models %s = %s; the full run %.2f× that", o.Size.Name,
				b.Load.Round(time.Millisecond), b.Models.Round(time.Millisecond), b.Total().Round(time.Millisecond), e.BaselineRatio())
		}
		w, err := warehouse.Open(ctx, e.Warehouse, warehouse.Options{Command: "shequ bench"})
		if err != nil {
			return r, err
		}
		_ = w.DB.QueryRowContext(ctx, "SELECT version()").Scan(&r.DuckDB)
		o.logf("%s: the incremental builds' tables against a full rebuild", o.Size.Name)
		pr, err := models.LoadEmbedded()
		if err != nil {
			w.Close()
			return r, err
		}
		r.IncrementalDiffs, _, err = pr.EqualsFullRebuild(ctx, w.DB, models.BuildOptions{})
		if err != nil {
			w.Close()
			return r, err
		}
		r.IncrementalChecked = true
		if !o.RunsOnly {
			o.logf("%s: build against the same SQL run directly", o.Size.Name)
			r.Build, r.BuildDirect, err = Build(ctx, w, o.Rounds)
		}
		w.Close()
		if err != nil {
			return r, err
		}
		if !o.RunsOnly {
			o.logf("%s: build %s, direct %s", o.Size.Name, r.Build.Elapsed.Round(time.Millisecond), r.BuildDirect.Elapsed.Round(time.Millisecond))
		}
		if o.Sheet1M {
			dir := filepath.Join(o.Data, Sheet1M.Name)
			o.logf("sheet1m: generating (or reusing) %s", dir)
			sm, gt, err := Ensure(dir, Sheet1M)
			if err != nil {
				return r, err
			}
			r.Sheet1MGen = gt
			big, _ := Files(sm, ActivityFiles("xlsx"))
			r.Sheet1MRows = Rows(big)
			o.logf("sheet1m: shequ ingest of %d rows in one sheet", r.Sheet1MRows)
			p, err := SheetRSS(ctx, o.Bin, dir, work)
			r.Sheet1M = &p
			if err != nil {
				return r, err
			}
		}
	}
	r.Elapsed = time.Since(r.Started)
	return r, nil
}

// IngestSet is the data of the ingest comparisons: the service-record
// files of some years, by format, and a warehouse holding the rosters and
// projects they refer to.
type IngestSet struct {
	DataDir string // the generated inbox
	Dir     string // scratch
	Years   []int
	Base    string // warehouse file with the rosters and projects
	// Service-record files: UTF-8 CSV, GBK/GB18030 CSV, xlsx.
	CSV, GBK, XLSX []gen.FileInfo
}

// NewIngestSet stages the rosters and projects of the years (all, when
// none are given) and loads them into the base warehouse.
func NewIngestSet(ctx context.Context, dataDir string, m *gen.Manifest, years []int, dir string) (*IngestSet, error) {
	if len(years) == 0 {
		for y := m.FromYear; y <= m.ToYear; y++ {
			years = append(years, y)
		}
	}
	s := &IngestSet{DataDir: dataDir, Dir: dir, Years: years, Base: filepath.Join(dir, "base.duckdb")}
	in := func(pick func(gen.FileInfo) bool) func(gen.FileInfo) bool {
		return func(f gen.FileInfo) bool { return slices.Contains(years, f.Year) && pick(f) }
	}
	prereq, _ := Files(m, in(func(f gen.FileInfo) bool {
		return f.DuplicateOf == "" && (slices.Contains(f.Kinds, "communities") || slices.Contains(f.Kinds, "projects"))
	}))
	s.CSV, _ = Files(m, in(ActivityFiles("csv", "utf-8", "utf-8-bom")))
	s.GBK, _ = Files(m, in(ActivityFiles("csv", "gbk", "gb18030")))
	s.XLSX, _ = Files(m, in(ActivityFiles("xlsx")))
	if err := Stage(dataDir, filepath.Join(dir, "prereq"), prereq); err != nil {
		return nil, err
	}
	for _, p := range []string{s.Base, s.Base + ".wal", s.Base + ".archive"} {
		if err := os.RemoveAll(p); err != nil {
			return nil, err
		}
	}
	return s, Prepare(ctx, s.Base, filepath.Join(dir, "prereq"))
}

// Ingest times ingest.Run of files (staged as inbox name) into a copy of
// the base warehouse, and checks that exactly the planted bad rows were
// rejected.
func (s *IngestSet) Ingest(ctx context.Context, files []gen.FileInfo, name string, receipts bool) (Timing, error) {
	inbox := filepath.Join(s.Dir, name)
	if err := Stage(s.DataDir, inbox, files); err != nil {
		return Timing{}, err
	}
	t, sum, err := Ingest(ctx, s.Base, filepath.Join(s.Dir, "run.duckdb"), inbox, Rows(files), IngestOptions{Receipts: receipts})
	if err != nil {
		return t, err
	}
	bad := 0
	for _, f := range files {
		bad += f.Bad
	}
	if sum.Loaded != len(files) || sum.Rejected != bad {
		return t, fmt.Errorf("%s: %d of %d files loaded, %d rows rejected, %d planted", name, sum.Loaded, len(files), sum.Rejected, bad)
	}
	return t, nil
}

// ReadCSV times DuckDB's read_csv of the UTF-8 files.
func (s *IngestSet) ReadCSV(ctx context.Context) (Timing, error) {
	return ReadCSV(ctx, filepath.Join(s.Dir, "read_csv.duckdb"), Paths(s.DataDir, s.CSV), Rows(s.CSV))
}

// Excelize times the bare excelize loop over the workbooks.
func (s *IngestSet) Excelize() (Timing, error) {
	return ExcelizeRows(Paths(s.DataDir, s.XLSX), Rows(s.XLSX))
}

// Unzip times inflating the workbooks' sheets.
func (s *IngestSet) Unzip() (Timing, error) { return Unzip(Paths(s.DataDir, s.XLSX), Rows(s.XLSX)) }

// ingest runs the ingest comparisons: the service-record files of the
// measured years (the last year only of a province: enough rows, bounded
// time), after the rosters and projects they refer to.
func (r *Report) ingest(ctx context.Context, o *Options, work string) error {
	m := r.Manifest
	var years []int
	if o.Size.Communities >= Province.Communities {
		years = []int{m.ToYear}
	}
	o.logf("%s: loading the rosters and projects the service records refer to", o.Size.Name)
	set, err := NewIngestSet(ctx, r.DataDir, m, years, filepath.Join(work, "ingest"))
	if err != nil {
		return err
	}
	r.IngestYears = set.Years
	r.CSVFiles, r.GBKFiles, r.XLSXFiles = len(set.CSV), len(set.GBK), len(set.XLSX)
	if len(set.CSV) > 0 {
		o.logf("%s: CSV: %d files, %d rows: ingest against DuckDB read_csv, %d rounds", o.Size.Name, len(set.CSV), Rows(set.CSV), o.Rounds)
		var a, b Best
		for i := 0; i < o.Rounds; i++ {
			t, err := set.Ingest(ctx, set.CSV, "csv", false)
			if err != nil {
				return err
			}
			a.Add(t)
			if t, err = set.ReadCSV(ctx); err != nil {
				return err
			}
			b.Add(t)
		}
		r.CSV, r.CSVReadCSV = a.T, b.T
		o.logf("%s: CSV ingest %s, read_csv %s: %.2f×", o.Size.Name, rate(r.CSV), rate(r.CSVReadCSV), Ratio(r.CSV, r.CSVReadCSV))
		if r.CSVReceipts, err = set.Ingest(ctx, set.CSV, "csv", true); err != nil {
			return err
		}
	}
	if len(set.GBK) > 0 {
		o.logf("%s: GBK CSV: %d files, %d rows", o.Size.Name, len(set.GBK), Rows(set.GBK))
		var a Best
		for i := 0; i < o.Rounds; i++ {
			t, err := set.Ingest(ctx, set.GBK, "gbk", false)
			if err != nil {
				return err
			}
			a.Add(t)
		}
		r.GBK = a.T
		o.logf("%s: GBK CSV ingest %s", o.Size.Name, rate(r.GBK))
	}
	if len(set.XLSX) > 0 {
		o.logf("%s: xlsx: %d files, %d rows: ingest against bare excelize and inflating, %d rounds", o.Size.Name, len(set.XLSX), Rows(set.XLSX), o.Rounds)
		var a, b, c Best
		for i := 0; i < o.Rounds; i++ {
			t, err := set.Ingest(ctx, set.XLSX, "xlsx", false)
			if err != nil {
				return err
			}
			a.Add(t)
			if t, err = set.Excelize(); err != nil {
				return err
			}
			b.Add(t)
			if t, err = set.Unzip(); err != nil {
				return err
			}
			c.Add(t)
		}
		r.XLSX, r.XLSXExcelize, r.XLSXUnzip = a.T, b.T, c.T
		o.logf("%s: xlsx ingest %s, excelize %s, unzip %s: %.2f× excelize", o.Size.Name, rate(r.XLSX), rate(r.XLSXExcelize), rate(r.XLSXUnzip), Ratio(r.XLSX, r.XLSXExcelize))
		if r.XLSXReceipts, err = set.Ingest(ctx, set.XLSX, "xlsx", true); err != nil {
			return err
		}
	}
	return nil
}

func mb(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func rate(t Timing) string {
	if t.Elapsed == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f rows/s (%s)", t.RowsPerSec(), t.Elapsed.Round(time.Millisecond))
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// Markdown writes the report as a table with the target of each figure.
func (r *Report) Markdown(w io.Writer) {
	m := r.Manifest
	fmt.Fprintf(w, "### %s: %d communities, %d–%d, %d activities (seed %d)\n\n", r.Size.Name, m.Communities, m.FromYear, m.ToYear, m.Activities, m.Seed)
	fmt.Fprintf(w, "Machine: %s; %s; DuckDB %s. Measured %s, suite took %s.\n\n", r.Machine, r.Go, r.DuckDB, r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Elapsed.Round(time.Second))
	gen := "kept from an earlier run"
	if r.GenTime > 0 {
		gen = "generated in " + r.GenTime.Round(time.Millisecond).String()
	}
	fmt.Fprintf(w, "Data: `%s` — %d files (%.0f MB), %d districts, %d project-years, %d rows (%d planted bad, %d warnings); %s.\n\n",
		r.Size.GenCommand(r.DataDir), len(m.Files), float64(m.Bytes)/1e6, m.Districts, m.ProjectYears, m.Rows, m.Bad, m.Warned, gen)
	fmt.Fprintf(w, "| figure | measured | ratio | target |\n|---|---|---|---|\n")
	ys := fmt.Sprint(r.IngestYears)
	if r.CSVFiles > 0 {
		ra := Ratio(r.CSV, r.CSVReadCSV)
		fmt.Fprintf(w, "| CSV ingest, %d UTF-8 service-record files of %s | %s | %.2f× DuckDB read_csv (%s) | ≥ 0.5× %s |\n",
			r.CSVFiles, ys, rate(r.CSV), ra, rate(r.CSVReadCSV), mark(ra >= 0.5))
		fmt.Fprintf(w, "| … the same with receipts (回执) | %s | %.2f× read_csv | – |\n", rate(r.CSVReceipts), Ratio(r.CSVReceipts, r.CSVReadCSV))
	}
	if r.GBKFiles > 0 {
		fmt.Fprintf(w, "| CSV ingest, %d GBK/GB18030 files (DuckDB cannot read them) | %s | – | – |\n", r.GBKFiles, rate(r.GBK))
	}
	if r.XLSXFiles > 0 {
		ra := Ratio(r.XLSX, r.XLSXExcelize)
		fmt.Fprintf(w, "| xlsx ingest, %d service-record workbooks of %s | %s | %.2f× bare excelize (%s) | ≥ 1× %s |\n",
			r.XLSXFiles, ys, rate(r.XLSX), ra, rate(r.XLSXExcelize), mark(ra >= 1))
		fmt.Fprintf(w, "| … against inflating the sheet XML only (the floor) | | %.2f× unzip (%s); excelize is %.2f× | reported |\n",
			Ratio(r.XLSX, r.XLSXUnzip), rate(r.XLSXUnzip), Ratio(r.XLSXExcelize, r.XLSXUnzip))
		fmt.Fprintf(w, "| … the same with receipts (回执) | %s | %.2f× bare excelize | – |\n", rate(r.XLSXReceipts), Ratio(r.XLSXReceipts, r.XLSXExcelize))
	}
	if r.Batch != nil {
		fmt.Fprint(w, r.Batch.markdown(m))
	}
	if r.Build.Elapsed > 0 {
		ra := r.Build.Elapsed.Seconds() / r.BuildDirect.Elapsed.Seconds()
		fmt.Fprintf(w, "| build of every model | %s | %.2f× the same SQL run directly (%s) | ≤ 1.1× %s |\n",
			r.Build.Elapsed.Round(time.Millisecond), ra, r.BuildDirect.Elapsed.Round(time.Millisecond), mark(ra <= 1.1))
	}
	if e := r.E2E; e != nil && e.Incremental.Wall > 0 {
		fmt.Fprintf(w, "| full run (ingest, build, test, report), %d files | %s, peak RSS %s | – | peak RSS ≤ 1 GiB %s |\n",
			len(m.Files)-1, e.Full.Wall.Round(time.Millisecond), mb(e.Full.MaxRSS), mark(e.Full.MaxRSS <= 1<<30))
		if b := e.Baseline; b != nil {
			agree := fmt.Sprintf("its %d mart tables have the full run's row counts", b.Marts)
			if len(b.Differ) > 0 {
				agree = "✗ row counts differ: " + strings.Join(b.Differ, "; ")
			}
			fmt.Fprintf(w, "| … against DuckDB alone on the full run's clean rows: %d rows of %d raw tables as UTF-8 CSV (%.0f MB) read by read_csv (COPY … FROM) into a fresh warehouse %s, the same models' SQL run directly and a checkpoint %s; %s | %s | %.2f× DuckDB (%s) | ≤ 3× %s |\n",
				b.Rows, len(b.Tables), float64(b.Bytes)/1e6, b.Load.Round(time.Millisecond), b.Models.Round(time.Millisecond), agree,
				e.Full.Wall.Round(time.Millisecond), e.BaselineRatio(), b.Total().Round(time.Millisecond), mark(e.BaselineRatio() <= 3))
		}
		what := "one district's new quarterly file"
		if m.ProvinceWide {
			what = "the province's new yearly file"
		}
		fmt.Fprintf(w, "| run after %s (`%s`, %d rows) | %s, peak RSS %s | %.3f× the full run | ≤ 0.05× (at the province) %s |\n",
			what, e.New.Path, e.New.Rows, e.Incremental.Wall.Round(time.Millisecond), mb(e.Incremental.MaxRSS), e.Ratio(), mark(e.Ratio() <= 0.05))
		if e.Unchanged.Wall > 0 {
			written := "writes nothing but its record: " + strings.Join(e.Written, "; ")
			if len(e.Written) == 0 {
				written = "writes nothing"
			}
			fmt.Fprintf(w, "| run with no new file (%s) | %s, peak RSS %s | %.3f× the full run | ≤ 0.02× %s |\n",
				written, e.Unchanged.Wall.Round(time.Millisecond), mb(e.Unchanged.MaxRSS), e.UnchangedRatio(), mark(e.UnchangedRatio() <= 0.02))
		}
	}
	if r.IncrementalChecked {
		res := "every table equal, row by row ✓"
		if len(r.IncrementalDiffs) > 0 {
			res = "✗ " + strings.Join(r.IncrementalDiffs, "; ")
		}
		fmt.Fprintf(w, "| the incremental builds of these runs against a full rebuild | %s | – | equal |\n", res)
	}
	if r.Sheet1M != nil && r.Sheet1M.Wall > 0 {
		fmt.Fprintf(w, "| shequ ingest of a %d-row sheet (`%s`) | %s, peak RSS %s | – | < 500 MB %s |\n",
			r.Sheet1MRows, Sheet1M.GenCommand("DIR"), r.Sheet1M.Wall.Round(time.Millisecond), mb(r.Sheet1M.MaxRSS), mark(r.Sheet1M.MaxRSS < 500e6))
	}
	fmt.Fprintln(w)
	if e := r.E2E; e != nil {
		for _, p := range []Proc{e.Full, e.Incremental, e.Unchanged} {
			fmt.Fprintf(w, "`%s`:\n\n```\n%s```\n\n", p.Command(), lastLines(p.Output, 6))
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}
