// Package bench measures shequ on generated data (samples/gen) against
// floors measured in the same process on the same files: ingest of CSV
// against DuckDB's own read_csv, ingest of xlsx against a bare excelize
// row loop and against only inflating the sheet XML, the build of every
// model against running the same SQL directly, and the whole nightly run
// (as a child process: wall time and peak RSS), in full and again after
// one district's new quarterly file. Ratios are what to read: the machine
// is shared, absolute times move with its load, ratios of runs taken side
// by side much less.
//
// The `go test -bench` benchmarks of this package and `shequ bench` both
// use it; BENCHMARKS.md records the figures.
package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"shequ/samples/gen"
)

// A Size is a generated city or province.
type Size struct {
	Name        string
	Communities int
	FromYear    int
	ToYear      int
	Activities  int
	Seed        uint64
	Format      string // every file xlsx or csv; "" mixed
	Yearly      bool   // service records in one file a year
	// ProvinceWide: one file per kind and year for the whole size
	// (gen.Config.ProvinceWide), few large files.
	ProvinceWide bool
	// Clean plants no bad row (shequ gen --bad 0).
	Clean bool
}

// The sizes of issue #8, and a small one for CI.
var (
	Smoke    = Size{Name: "smoke", Communities: 300, FromYear: 2014, ToYear: 2015, Activities: 20_000, Seed: 4} // seed 4: UTF-8, GBK and xlsx service records
	City     = Size{Name: "city", Communities: 1_000, FromYear: 2013, ToYear: 2015, Activities: 300_000, Seed: 1}
	Province = Size{Name: "province", Communities: 20_000, FromYear: 2006, ToYear: 2015, Activities: 5_000_000, Seed: 1}
	// Sheet1M is one district's year of service records in one workbook
	// of a million rows (issue #3: peak memory on a 1-million-row sheet).
	Sheet1M = Size{Name: "sheet1m", Communities: 150, FromYear: 2015, ToYear: 2015, Activities: 1_000_000, Seed: 1, Format: "xlsx", Yearly: true}
	// CityWide and ProvinceWide are the city and the province in the
	// other shape of issue #19: few large province-wide yearly files.
	CityWide     = Size{Name: "city-wide", Communities: 1_000, FromYear: 2013, ToYear: 2015, Activities: 300_000, Seed: 1, ProvinceWide: true}
	ProvinceWide = Size{Name: "province-wide", Communities: 20_000, FromYear: 2006, ToYear: 2015, Activities: 5_000_000, Seed: 1, ProvinceWide: true}
	// ProvinceWideClean is ProvinceWide without a planted bad row: every
	// district's receipt of a file is then a summary, without the copy
	// of its rows that reads the whole file again for each district.
	ProvinceWideClean = Size{Name: "province-wide-clean", Communities: 20_000, FromYear: 2006, ToYear: 2015, Activities: 5_000_000, Seed: 1, ProvinceWide: true, Clean: true}
)

// SizeByName returns the named size.
func SizeByName(name string) (Size, error) {
	for _, s := range []Size{Smoke, City, Province, Sheet1M, CityWide, ProvinceWide, ProvinceWideClean} {
		if s.Name == name {
			return s, nil
		}
	}
	return Size{}, fmt.Errorf("no size %q: smoke, city, province, city-wide, province-wide or province-wide-clean", name)
}

// GenCommand is the shequ gen command that writes the size.
func (s Size) GenCommand(dir string) string {
	c := fmt.Sprintf("shequ gen --communities %d --years %d-%d --activities %d --seed %d", s.Communities, s.FromYear, s.ToYear, s.Activities, s.Seed)
	if s.Format != "" {
		c += " --format " + s.Format
	}
	if s.Yearly {
		c += " --yearly"
	}
	if s.ProvinceWide {
		c += " --province-wide"
	}
	if s.Clean {
		c += " --bad 0"
	}
	return c + " --out " + dir
}

func (s Size) config(dir string) gen.Config {
	return gen.Config{Communities: s.Communities, FromYear: s.FromYear, ToYear: s.ToYear, Activities: s.Activities, Seed: s.Seed, Out: dir,
		Format: s.Format, YearlyActivities: s.Yearly, ProvinceWide: s.ProvinceWide, BadShare: s.badShare()}
}

// badShare is the gen.Config.BadShare of the size: the default, or none.
func (s Size) badShare() float64 {
	if s.Clean {
		return -1
	}
	return 0
}

// plantedShare is the share of bad rows its manifest records.
func (s Size) plantedShare() float64 {
	if s.Clean {
		return 0
	}
	return gen.DefaultBadShare
}

// Ensure returns the size's inbox under dir, generating it unless a
// complete one of the same configuration is already there (generation is
// deterministic, so a kept inbox is the same bytes).
func Ensure(dir string, s Size) (*gen.Manifest, time.Duration, error) {
	if m, err := gen.ReadManifest(dir); err == nil && m.Communities == s.Communities && m.FromYear == s.FromYear &&
		m.ToYear == s.ToYear && m.Activities == s.Activities && m.Seed == s.Seed && m.BadShare == s.plantedShare() &&
		m.Format == s.Format && m.Yearly == s.Yearly && m.ProvinceWide == s.ProvinceWide && m.Generator == gen.Version {
		return m, 0, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, 0, err
	}
	start := time.Now()
	m, err := gen.Generate(s.config(dir))
	return m, time.Since(start), err
}

// Files selects files of a manifest; the rest are returned too.
func Files(m *gen.Manifest, pick func(f gen.FileInfo) bool) (picked, rest []gen.FileInfo) {
	for _, f := range m.Files {
		if pick(f) {
			picked = append(picked, f)
		} else {
			rest = append(rest, f)
		}
	}
	return picked, rest
}

// ActivityFiles picks the service-record files of a format ("csv" or
// "xlsx"), of the encodings given for CSV (none: any).
func ActivityFiles(format string, encodings ...string) func(f gen.FileInfo) bool {
	return func(f gen.FileInfo) bool {
		if len(f.Kinds) != 1 || f.Kinds[0] != "activities" || f.Format != format || f.DuplicateOf != "" {
			return false
		}
		if len(encodings) == 0 {
			return true
		}
		for _, e := range encodings {
			if f.Encoding == e {
				return true
			}
		}
		return false
	}
}

// Rows sums the data rows of files.
func Rows(files []gen.FileInfo) int {
	n := 0
	for _, f := range files {
		n += f.Rows
	}
	return n
}

// Stage makes dst an inbox holding files of src, as hard links (copies
// when links fail) with their modification times.
func Stage(src, dst string, files []gen.FileInfo) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	for _, f := range files {
		from, to := filepath.Join(src, f.Path), filepath.Join(dst, f.Path)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.Link(from, to); err != nil {
			b, err := os.ReadFile(from)
			if err != nil {
				return err
			}
			if err := os.WriteFile(to, b, 0o644); err != nil {
				return err
			}
		}
		if err := os.Chtimes(to, f.ModTime, f.ModTime); err != nil {
			return err
		}
	}
	return nil
}

// Paths are the absolute paths of files under dir.
func Paths(dir string, files []gen.FileInfo) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = filepath.Join(dir, f.Path)
	}
	return out
}

// LastQuarterFile is the incremental case: one district's service records
// of the last quarter, the file a nightly run finds new.
func LastQuarterFile(m *gen.Manifest) (gen.FileInfo, error) {
	var cands []gen.FileInfo
	for _, f := range m.Files {
		if len(f.Kinds) == 1 && f.Kinds[0] == "activities" && f.DuplicateOf == "" && f.Year == m.ToYear && f.Quarter == 4 {
			cands = append(cands, f)
		}
	}
	if len(cands) == 0 {
		return gen.FileInfo{}, fmt.Errorf("no service records of %dQ4", m.ToYear)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Path < cands[j].Path })
	return cands[0], nil
}

// Timing is one measured run over some rows.
type Timing struct {
	Rows    int
	Elapsed time.Duration
}

// RowsPerSec is the throughput.
func (t Timing) RowsPerSec() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Rows) / t.Elapsed.Seconds()
}

// Best keeps the fastest of several timings: the one least disturbed by
// whatever else the machine was doing.
type Best struct{ T Timing }

// Add records a timing.
func (b *Best) Add(t Timing) {
	if b.T.Elapsed == 0 || t.Elapsed < b.T.Elapsed {
		b.T = t
	}
}

// Ratio is how fast a is against b, in rows per second (>1: a is faster).
func Ratio(a, b Timing) float64 {
	if b.RowsPerSec() == 0 {
		return 0
	}
	return a.RowsPerSec() / b.RowsPerSec()
}

// Machine describes where the figures were taken.
func Machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				if _, v, ok := strings.Cut(l, ":"); ok {
					cpu = strings.TrimSpace(v)
				}
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.1f GiB RAM", float64(kb)/(1<<20))
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = ", load " + strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("%d CPUs (%s)%s%s", numCPU(), cpu, mem, load)
}
