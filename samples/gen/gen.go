// Package gen writes a realistic city or province of district submissions:
// the same kinds and the same mess as the sample city (samples/MANIFEST.md),
// at any size, for load tests and benchmarks.
//
// A world is drawn from the seed (districts, streets, communities with
// 12-digit statistical codes, providers with GB 32100 credit codes, the
// projects of every year with their teams, GB 11643 ID numbers), then every
// file is written on its own random stream, so the output is the same bytes
// for the same configuration whatever the number of workers. Each district
// has its habits (CSV or xlsx, encoding, header aliases, title rows,
// two-row headers, 万元 and 平方米 units, date forms, full-width digits,
// thousands separators, invisible spaces, cells merged down a column, 合计
// and notes rows, wide or long expenditures …); a small share of rows is
// planted bad (an unknown service item, a wrong check character, a
// negative number, a duplicate key …), each one certain to be rejected, and
// a few project rows carry a funding mismatch warning. Files are written
// streaming (CSV through bufio, big sheets through excelize's
// StreamWriter), so memory does not grow with the size of the province.
//
// Files go to DIR/<year>Q<quarter>/<district>/, with modification times in
// the order a bureau receives them: each year's rosters, projects and
// staff first, then each quarter's expenditures and service records,
// evaluations mid-year and at the end, facilities last; now and then a
// file is sent twice, or a roster is corrected. DIR/.gen.json (hidden, so
// not ingested) lists every file with its rows, planted bad rows and
// warnings.
package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"shequ/internal/files"
)

// Config says what to generate.
type Config struct {
	Communities int // communities and villages in all
	FromYear    int
	ToYear      int
	Activities  int // valid service activity rows in all
	Seed        uint64
	Out         string // the inbox directory written
	// BadShare is the share of rows planted bad, each certain to be
	// rejected; 0 means DefaultBadShare, negative none.
	BadShare float64
	// YearlyActivities writes each district's service records of a year
	// in one file, sent with the fourth quarter, instead of a file a
	// quarter.
	YearlyActivities bool
	// Format, when "xlsx" or "csv", writes every file in that format
	// instead of each district's habit.
	Format string
	// ProvinceWide writes, for each year, one file per kind for the whole
	// province instead of each district's files (see planProvince).
	ProvinceWide bool
	// Workers write files in parallel; 0 means GOMAXPROCS. The output does
	// not depend on it.
	Workers int
	// Progress, when set, is called after each file.
	Progress func(done, total int)
}

// DefaultBadShare is the share of bad rows planted: about one in two hundred.
const DefaultBadShare = 0.005

// Version changes whenever the same configuration would give other bytes;
// a kept inbox of another version is stale.
const Version = 2

// ManifestName is the file, in the output directory, that describes what
// was generated; hidden, so ingest leaves it alone.
const ManifestName = ".gen.json"

// Manifest describes a generated inbox.
type Manifest struct {
	Generator    int        `json:"generator"`
	Seed         uint64     `json:"seed"`
	Communities  int        `json:"communities"`
	FromYear     int        `json:"from_year"`
	ToYear       int        `json:"to_year"`
	Activities   int        `json:"activities"`
	BadShare     float64    `json:"bad_share"`
	Format       string     `json:"format,omitempty"`
	Yearly       bool       `json:"yearly_activities,omitempty"`
	ProvinceWide bool       `json:"province_wide,omitempty"`
	Districts    int        `json:"districts"`
	Streets      int        `json:"streets"`
	ProjectYears int        `json:"project_years"`
	Files        []FileInfo `json:"files"`
	// Totals over the files that are not duplicates.
	Rows   int   `json:"rows"`
	Bad    int   `json:"bad"`
	Warned int   `json:"warned"`
	Bytes  int64 `json:"bytes"`
	// RowsByKind counts the data rows of each kind (a wide expenditure
	// row is one row).
	RowsByKind map[string]int `json:"rows_by_kind"`
	Elapsed    time.Duration  `json:"-"` // not written: the file depends only on the configuration
}

// FileInfo is one generated file.
type FileInfo struct {
	Path        string    `json:"path"` // relative to the output directory, '/'-separated
	Kinds       []string  `json:"kinds"`
	District    string    `json:"district"`
	Year        int       `json:"year"`
	Quarter     int       `json:"quarter,omitempty"`
	Format      string    `json:"format"`
	Encoding    string    `json:"encoding,omitempty"`
	Rows        int       `json:"rows"`   // data rows, planted bad ones included
	Bad         int       `json:"bad"`    // planted bad rows: each is rejected
	Warned      int       `json:"warned"` // rows planted with a warning
	Bytes       int64     `json:"bytes"`
	DuplicateOf string    `json:"duplicate_of,omitempty"`
	Correction  bool      `json:"correction,omitempty"`
	ModTime     time.Time `json:"mod_time"`
}

// ReadManifest reads the manifest of a generated inbox.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	return &m, nil
}

// fileSpec is one file of the plan.
type fileSpec struct {
	info   FileInfo
	d      *district
	dupOf  int // index of the file this is a copy of, or -1
	write  func(g *genFile) error
	stream bool
	// province is the layout of a province-wide file (nil: the
	// district's own).
	province *style
}

func (c *Config) check() error {
	switch {
	case c.Communities < 1:
		return errors.New("communities must be at least 1")
	case c.FromYear < 2000 || c.ToYear > 2099 || c.FromYear > c.ToYear:
		return fmt.Errorf("years %d-%d: give a range within 2000-2099", c.FromYear, c.ToYear)
	case c.Activities < 0:
		return errors.New("activities must not be negative")
	case c.Out == "":
		return errors.New("no output directory")
	case c.BadShare >= 0.5:
		return errors.New("bad share must be below 0.5")
	case c.Format != "" && c.Format != "xlsx" && c.Format != "csv":
		return fmt.Errorf("format %q: want xlsx or csv", c.Format)
	}
	if c.BadShare == 0 {
		c.BadShare = DefaultBadShare
	}
	if c.BadShare < 0 {
		c.BadShare = 0
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	return nil
}

// Generate writes the inbox and its manifest.
func Generate(cfg Config) (*Manifest, error) {
	start := time.Now()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	w, err := newWorld(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, err
	}
	plan := w.plan()
	if cfg.ProvinceWide {
		plan = w.planProvince()
	}
	if err := w.writeAll(plan); err != nil {
		return nil, err
	}
	m := &Manifest{Generator: Version, Seed: cfg.Seed, Communities: cfg.Communities, FromYear: cfg.FromYear, ToYear: cfg.ToYear,
		Activities: cfg.Activities, BadShare: cfg.BadShare, Format: cfg.Format, Yearly: cfg.YearlyActivities, ProvinceWide: cfg.ProvinceWide,
		Districts: len(w.districts), ProjectYears: len(w.all),
		RowsByKind: map[string]int{}}
	for _, d := range w.districts {
		m.Streets += len(d.streets)
	}
	for _, f := range plan {
		m.Files = append(m.Files, f.info)
		if f.info.DuplicateOf != "" {
			continue
		}
		m.Rows += f.info.Rows
		m.Bad += f.info.Bad
		m.Warned += f.info.Warned
		m.Bytes += f.info.Bytes
		if len(f.info.Kinds) == 1 {
			m.RowsByKind[f.info.Kinds[0]] += f.info.Rows
		}
	}
	m.Elapsed = time.Since(start)
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cfg.Out, ManifestName), b, 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

var quarterZh = []string{"", "一", "二", "三", "四"}

// plan lists every file in the order the bureau receives them.
func (w *world) plan() []*fileSpec {
	var plan []*fileSpec
	r := w.rngFor("plan")
	for _, y := range w.years {
		for q := 1; q <= 4; q++ {
			received := day(y, 3*q+1, 8) // a week into the next quarter
			n := 0
			for _, d := range w.districts {
				dy := d.years[y]
				var specs []*fileSpec
				add := func(name string, kinds []string, formatKey string, fn func(g *genFile) error) *fileSpec {
					xr := w.rngFor("format:"+formatKey, d.idx, y, q)
					format := "csv"
					if xr.Float64() < d.st.xlsxShare {
						format = "xlsx"
					}
					if w.cfg.Format != "" {
						format = w.cfg.Format
					}
					f := &fileSpec{d: d, dupOf: -1, write: fn, info: FileInfo{Kinds: kinds, District: d.name, Year: y, Quarter: q, Format: format}}
					f.info.Path = fmt.Sprintf("%dQ%d/%s/%s.%s", y, q, d.name, name, format)
					if format == "csv" {
						f.info.Encoding = d.st.enc
					}
					specs = append(specs, f)
					return f
				}
				if q == 1 {
					add(fmt.Sprintf("%s%d年社区名册", d.name, y), []string{"communities"}, "roster",
						func(g *genFile) error { return g.roster(y, false) })
					if len(dy.projects) > 0 {
						p := add(fmt.Sprintf("%s%d年度服务项目", d.name, y), []string{"projects"}, "projects",
							func(g *genFile) error { return g.projects(y) })
						if p.info.Format == "xlsx" && d.st.combined {
							p.info.Path = fmt.Sprintf("%dQ%d/%s/%s%d年度项目及人员.xlsx", y, q, d.name, d.name, y)
							p.info.Kinds = []string{"projects", "staff"}
							p.write = func(g *genFile) error {
								if err := g.projects(y); err != nil {
									return err
								}
								return g.staff(y)
							}
						} else {
							add(fmt.Sprintf("%s%d年人员名册", d.name, y), []string{"staff"}, "staff",
								func(g *genFile) error { return g.staff(y) })
						}
					}
				}
				if q == 2 && r.IntN(33) == 0 {
					f := add(fmt.Sprintf("%s%d年社区名册（更正）", d.name, y), []string{"communities"}, "correction",
						func(g *genFile) error { return g.roster(y, true) })
					f.info.Correction = true
				}
				active := false
				for _, py := range dy.projects {
					active = active || py.activeIn(q)
				}
				if active {
					add(fmt.Sprintf("%s%d年第%s季度经费支出", d.name, y, quarterZh[q]), []string{"expenditures"}, "expenditures",
						func(g *genFile) error { return g.expenditures(y, q) })
				}
				m1, m2 := 3*q-2, 3*q
				if w.cfg.YearlyActivities {
					m1 = 1
				}
				if rows := d.activityRows(y, m1, m2); rows > 0 && (!w.cfg.YearlyActivities || q == 4) {
					f := add(fmt.Sprintf("%s%d年%d-%d月服务记录", d.name, y, m1, m2), []string{"activities"}, "activities",
						func(g *genFile) error { return g.activities(y, m1, m2) })
					f.stream = rows > maxCellAPIRows
				}
				if q == 3 && len(dy.projects) > 0 {
					add(fmt.Sprintf("%s%d年中期评估结果", d.name, y), []string{"evaluations"}, "mid",
						func(g *genFile) error { return g.evaluations(y, "mid") })
				}
				if q == 4 && len(dy.projects) > 0 {
					add(fmt.Sprintf("%s%d年度评估结果", d.name, y), []string{"evaluations"}, "annual",
						func(g *genFile) error { return g.evaluations(y, "annual") })
					if len(w.centres(d, y)) > 0 {
						add(fmt.Sprintf("%s%d年功能室情况", d.name, y), []string{"facilities"}, "facilities",
							func(g *genFile) error { return g.facilities(y) })
					}
				}
				// Now and then a file is sent a second time, unchanged.
				for _, f := range specs {
					f.info.ModTime = received.Add(time.Duration(n) * time.Second)
					n++
					plan = append(plan, f)
				}
				for _, f := range specs {
					if r.IntN(100) == 0 {
						dup := &fileSpec{d: d, dupOf: len(plan) - len(specs) + indexOf(specs, f), info: f.info}
						dup.info.Path = filepath.ToSlash(filepath.Join(filepath.Dir(f.info.Path), "重报", filepath.Base(f.info.Path)))
						dup.info.DuplicateOf = f.info.Path
						dup.info.ModTime = received.Add(time.Duration(n) * time.Second)
						n++
						plan = append(plan, dup)
					}
				}
			}
		}
	}
	return plan
}

func indexOf(specs []*fileSpec, f *fileSpec) int {
	for i, s := range specs {
		if s == f {
			return i
		}
	}
	return -1
}

// writeAll writes the files of the plan with cfg.Workers workers, then the
// copies, then sets every file's modification time.
func (w *world) writeAll(plan []*fileSpec) error {
	var originals, copies []int
	for i, f := range plan {
		if f.dupOf >= 0 {
			copies = append(copies, i)
		} else {
			originals = append(originals, i)
		}
	}
	// The biggest files first, so that no worker is left with one at the end.
	sort.SliceStable(originals, func(a, b int) bool { return plan[originals[a]].stream && !plan[originals[b]].stream })
	var done atomic.Int64
	jobs := make(chan int)
	errs := make([]error, len(plan))
	var wg sync.WaitGroup
	for k := 0; k < w.cfg.Workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				errs[i] = w.writeFile(plan[i], i)
				n := done.Add(1)
				if w.cfg.Progress != nil {
					w.cfg.Progress(int(n), len(plan))
				}
			}
		}()
	}
	for _, i := range originals {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, i := range copies {
		f := plan[i]
		src := plan[f.dupOf]
		f.info.Rows, f.info.Bad, f.info.Warned, f.info.Bytes = src.info.Rows, src.info.Bad, src.info.Warned, src.info.Bytes
		if err := files.Copy(filepath.Join(w.cfg.Out, src.info.Path), filepath.Join(w.cfg.Out, f.info.Path)); err != nil {
			return err
		}
		n := done.Add(1)
		if w.cfg.Progress != nil {
			w.cfg.Progress(int(n), len(plan))
		}
	}
	for _, f := range plan {
		p := filepath.Join(w.cfg.Out, f.info.Path)
		if err := os.Chtimes(p, f.info.ModTime, f.info.ModTime); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) writeFile(f *fileSpec, i int) error {
	path := filepath.Join(w.cfg.Out, f.info.Path)
	if err := ensureDir(path); err != nil {
		return err
	}
	g := &genFile{w: w, spec: f, d: f.d, st: &f.d.st, r: w.rngFor("file:" + f.info.Path), salt: f.d.idx}
	if f.province != nil {
		g.st, g.salt = f.province, 0
	}
	g.c = &cells{r: g.r, st: g.st, xlsx: f.info.Format == "xlsx", gbk: f.info.Encoding == "gbk" || f.info.Encoding == "gb18030"}
	var err error
	if g.c.xlsx {
		xs := newXLSXSink(path, f.stream || !g.st.sst)
		if g.c.dateStyle, g.c.pctStyle, err = xs.styles(); err != nil {
			return err
		}
		g.s = xs
	} else if g.s, err = newCSVSink(path, f.info.Encoding, g.st.crlf); err != nil {
		return err
	}
	if f.province != nil {
		g.s = &joinSink{sink: g.s}
	}
	err = f.write(g)
	if err == nil && g.c.xlsx {
		err = g.extraSheets()
	}
	if e := g.s.close(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("gen %s: %w", f.info.Path, err)
	}
	f.info.Rows, f.info.Bad, f.info.Warned = g.stats.Rows, g.stats.Bad, g.stats.Warned
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	f.info.Bytes = fi.Size()
	return nil
}

// extraSheets adds what a district's workbooks carry besides the data: a
// hidden sheet of drop-down choices, an empty Sheet2.
func (g *genFile) extraSheets() error {
	if g.st.hidden {
		rows := [][]any{{"下拉选项", "取值"}}
		for _, w := range urbanWords[:3] {
			rows = append(rows, []any{"城乡", w})
		}
		for _, t := range []string{"党群服务中心", "社区综合服务中心", "社区服务社会化"} {
			rows = append(rows, []any{"项目类型选项", t})
		}
		for _, t := range []string{"项目负责人", "社工", "辅助人员", "督导"} {
			rows = append(rows, []any{"岗位选项", t})
		}
		if err := g.s.extraSheet("下拉列表", rows, true); err != nil {
			return err
		}
	}
	if g.st.emptySheet {
		return g.s.extraSheet("Sheet"+strconv.Itoa(2+g.salt%2), nil, false)
	}
	return nil
}
