// Package bundle writes every report of one year into an output folder:
// each definition as an Excel workbook and an HTML page, and the machine
// exports of every mart (CSV and Parquet with their manifest):
//
//	out/2014/社区服务年度报告_2014.xlsx   the planners' workbook
//	out/2014/社区服务年度报告_2014.html   the same figures as one page
//	out/2014/市级奖励资金分配表_2014.xlsx the allocation form with its calculation
//	out/2014/市级奖励资金分配表_2014.html the form, printable
//	out/exports/…                        csv/, parquet/, manifest.json
//
// A report for one district is named …_2014_临江区; a trial under an
// alternative policy goes to out/2014/试算-<label>/ and writes no exports
// (they describe the warehouse, not a trial).
//
// A year's folder (or a trial's) is written beside it and put in its place
// as a whole, and so is the exports folder: a reader sees one build's
// reports, never two mixed, and a writer killed midway leaves the earlier
// ones (its leftovers are cleaned by the next). Writers of one output
// folder that may run at once (a nightly run, a reader's report from the
// snapshot) hold atomic.LockDir on it.
package bundle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"shequ/internal/atomic"
	"shequ/internal/say"
	"shequ/internal/sqlrows"
	"shequ/official"
	"shequ/reports"
	"shequ/reports/export"
	"shequ/reports/html"
	"shequ/reports/rewards"
	"shequ/reports/xlsx"
)

// ExportsDir is the folder of the machine exports under the output folder.
const ExportsDir = "exports"

// ErrNoData says the warehouse has no current row of any year: there is
// nothing to report yet.
var ErrNoData error = say.New("no_data", "数据仓库还没有数据：请先接收各区报送文件（shequ ingest）并构建（shequ build）",
	"the warehouse holds no data yet: ingest the districts' files and build first")

// Options say what to write.
type Options struct {
	Out      string       // the output folder
	Year     int          // 0: the latest year with data
	District string       // "" for the whole city
	City     string       // the city's name for titles
	Reports  *reports.Set // nil: the built-in definitions
	Only     []string     // definitions to write (names); empty: all
	// Trial labels reports computed under an alternative policy; they go to
	// the folder 试算-<TrialName> (the label when empty) and no exports are
	// written.
	Trial, TrialName string
	// NoExports skips the machine exports.
	NoExports bool
	Now       time.Time
	// Issuer is the bureau that issues the reports (江州市民政局): on the
	// cover of a book, under a form and its calculation.
	Issuer string
	// Cite rewrites the internal references to policy documents in every
	// text of a report ("seed 001 §(十二)") as readers cite them, by title
	// and 文号 (official.Profile.Cite); nil cites the default documents
	// (official.DefaultDocuments), so no reader sees a seed.
	Cite func(string) string
	// SignOff is the sign-off of the official version the reports are
	// written for (正式版本 第1版 · 张三 于 … 签发), with Version its number:
	// under the title of every report and with the notes of a form.
	SignOff string
	Version int
	// ExportFrom names the relation the export of a mart reads (the
	// official figures of closed years); nil: marts.<mart>.
	ExportFrom func(mart string) string
}

// Result says what was written.
type Result struct {
	Year     int
	Stamp    *reports.Stamp
	Files    []string // every file written, relative to Out, /-separated
	Manifest *export.Manifest
}

// Summary is a one-line account of the result.
func (r *Result) Summary() string {
	human := 0
	for _, f := range r.Files {
		if !strings.HasPrefix(f, ExportsDir+"/") {
			human++
		}
	}
	s := fmt.Sprintf("%d report files for %d", human, r.Year)
	if r.Manifest != nil {
		s += fmt.Sprintf(", %d export files", len(r.Manifest.Files))
	}
	return s
}

// LatestYear is the latest year the warehouse has current rows of.
func LatestYear(ctx context.Context, db *sql.DB) (int, error) {
	var y sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(year) FROM marts.data_quality`).Scan(&y); err != nil {
		return 0, fmt.Errorf("find the latest year: %w (has the warehouse been built? run `shequ build`)", err)
	}
	if !y.Valid {
		return 0, ErrNoData
	}
	return int(y.Int64), nil
}

// Years lists the years the warehouse has current rows of.
func Years(ctx context.Context, db *sql.DB) ([]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT year FROM marts.data_quality ORDER BY year`)
	if err != nil {
		return nil, err
	}
	return sqlrows.Column[int](rows)
}

// Districts lists the districts of a year.
func Districts(ctx context.Context, db *sql.DB, year int) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT district FROM marts.data_quality WHERE year = ? ORDER BY district`, year)
	if err != nil {
		return nil, err
	}
	return sqlrows.Column[string](rows)
}

// Write writes the reports and exports.
func Write(ctx context.Context, db *sql.DB, o Options) (*Result, error) {
	if o.Out == "" {
		return nil, errors.New("no output folder given")
	}
	set := o.Reports
	if set == nil {
		var err error
		if set, err = reports.LoadEmbedded(); err != nil {
			return nil, err
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	year := o.Year
	if year == 0 {
		var err error
		if year, err = LatestYear(ctx, db); err != nil {
			return nil, err
		}
	} else {
		years, err := Years(ctx, db)
		if err != nil {
			return nil, err
		}
		if !contains(years, year) {
			return nil, fmt.Errorf("no data for %d: the warehouse has %s", year, joinInts(years))
		}
	}
	if o.District != "" {
		ds, err := Districts(ctx, db, year)
		if err != nil {
			return nil, err
		}
		if !containsString(ds, o.District) {
			return nil, fmt.Errorf("no district %q in %d: the districts are %s", o.District, year, strings.Join(ds, ", "))
		}
	}
	stamp, err := reports.ReadStamp(ctx, db)
	if err != nil {
		return nil, err
	}
	res := &Result{Year: year, Stamp: stamp}
	dir := fmt.Sprintf("%d", year)
	if o.Trial != "" {
		name := o.TrialName
		if name == "" {
			name = o.Trial
		}
		dir = filepath.Join(dir, "试算-"+safeName(name))
	}
	// The reports and the export are written concurrently: each reads the
	// warehouse on its own connection and writes its own files.
	var defs []*reports.Definition
	for _, d := range set.Definitions {
		if len(o.Only) == 0 || containsString(o.Only, d.Name) {
			defs = append(defs, d)
		}
	}
	// The year's reports are written beside its folder and put in its
	// place as a whole (what they do not rewrite, such as a district's
	// reports or a trial, stays): a reader, or a writer killed midway,
	// never leaves reports of two builds mixed in one folder.
	st, err := atomic.StageDir(filepath.Join(o.Out, dir), true)
	if err != nil {
		return nil, err
	}
	defer st.Abort()
	files := make([][]string, len(defs))
	errs := make([]error, len(defs)+1)
	var wg sync.WaitGroup
	for i, d := range defs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			files[i], errs[i] = writeReport(ctx, db, d, year, dir, st.Path, o, stamp)
		}()
	}
	if o.Trial == "" && !o.NoExports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.Manifest, errs[len(defs)] = export.Write(ctx, db, export.Options{Dir: filepath.Join(o.Out, ExportsDir), Queries: set, Stamp: stamp, From: o.ExportFrom})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := st.Commit(); err != nil {
		return nil, err
	}
	for _, fs := range files {
		res.Files = append(res.Files, fs...)
	}
	if m := res.Manifest; m != nil {
		for _, f := range m.Files {
			res.Files = append(res.Files, ExportsDir+"/"+f.File)
		}
		res.Files = append(res.Files, ExportsDir+"/"+export.ManifestFile)
	}
	return res, nil
}

// writeReport writes one report's workbook and page into staged (the next
// version of dir) and returns their paths inside the output folder.
func writeReport(ctx context.Context, db *sql.DB, d *reports.Definition, year int, dir, staged string, o Options, stamp *reports.Stamp) ([]string, error) {
	f := reports.Filter{Year: year, District: o.District}
	data, err := d.Read(ctx, db, f, reports.Options{City: o.City, Trial: o.Trial, Stamp: stamp, Now: o.Now})
	if err != nil {
		return nil, err
	}
	applyProfile(data, o)
	if d.Appendix == reports.AppendixRewardCalculation {
		g, err := rewards.Calculation(data)
		if err != nil {
			return nil, err
		}
		if g != nil {
			if o.Issuer != "" {
				g.Lines = append(g.Lines, "编制单位："+o.Issuer)
			}
			if o.SignOff != "" {
				g.Lines = append(g.Lines, o.SignOff)
			}
			data.Appendix = append(data.Appendix, g)
		}
	}
	base := fmt.Sprintf("%s_%d", d.File, year)
	if data.Filter.District != "" {
		base += "_" + safeName(data.Filter.District)
	}
	var files []string
	if d.Writes(reports.FormatXLSX) {
		xl := filepath.Join(dir, base+".xlsx")
		if err := xlsx.Write(filepath.Join(staged, base+".xlsx"), data); err != nil {
			return nil, err
		}
		files = append(files, filepath.ToSlash(xl))
	}
	if d.Writes(reports.FormatHTML) {
		page := filepath.Join(dir, base+".html")
		if err := atomic.WriteFile(filepath.Join(staged, base+".html"), func(w io.Writer) error { return html.Write(w, data) }); err != nil {
			return nil, fmt.Errorf("write %s: %w", page, err)
		}
		files = append(files, filepath.ToSlash(page))
	}
	return files, nil
}

// applyProfile puts the city's profile on a report read: references to the
// policy documents cited by title and 文号 in every text, the issuing
// bureau, and the sign-off and version of an official version.
func applyProfile(data *reports.Data, o Options) {
	{
		citeText := o.Cite
		if citeText == nil {
			citeText = defaultProfile.Cite
		}
		cite := func(v reports.Value) reports.Value {
			if s, ok := v.(string); ok {
				return clauses(citeText(s))
			}
			return v
		}
		for _, t := range append(append([]*reports.Table(nil), data.Cover...), data.Sheets...) {
			sh := *t.Sheet
			sh.Note = clauses(citeText(sh.Note))
			t.Sheet = &sh
			for _, r := range t.Rows {
				for j := range r {
					r[j] = cite(r[j])
				}
			}
		}
		for i, n := range data.Notes {
			data.Notes[i] = clauses(citeText(n))
		}
	}
	if o.Issuer == "" && o.SignOff == "" {
		return
	}
	def := *data.Def
	data.Def = &def
	if o.Version > 0 {
		data.Title += fmt.Sprintf("（第%d版）", o.Version)
	}
	var lines []string
	if o.Issuer != "" {
		lines = append(lines, "编制单位："+o.Issuer)
	}
	if o.SignOff != "" {
		lines = append(lines, o.SignOff)
	}
	if def.Layout == reports.LayoutForm {
		data.Notes = append(data.Notes, strings.Join(lines, "；")+"。")
	} else {
		def.Description = strings.Join(append(lines, def.Description), "。")
	}
}

// defaultProfile cites the default policy documents when the options give
// no city's profile.
var defaultProfile = &official.Profile{Documents: official.DefaultDocuments}

// reItem is an item cited right after a document, reClause an item of a
// clause, both in half-width brackets as the policy files write them:
// 《…》（…）(十二), 第二部分(1).
var (
	reItem   = regexp.MustCompile(`）\(([一二三四五六七八九十]+)\)`)
	reClause = regexp.MustCompile(`\(([一二三四五六七八九十]+|\d{1,2})\)`)
)

// clauses cites the items of clauses as Chinese documents are cited, in
// full-width brackets: 《…》（…）第（十二）项, 第二部分（1）.
func clauses(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	s = reItem.ReplaceAllString(s, "）第（$1）项")
	return reClause.ReplaceAllString(s, "（$1）")
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func joinInts(xs []int) string {
	if len(xs) == 0 {
		return "no year at all"
	}
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, ", ")
}

// safeName makes s usable in a file name.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>| `, r) {
			r = '_'
		}
		b.WriteRune(r)
	}
	out := strings.Trim(b.String(), "._")
	if len([]rune(out)) > 60 {
		out = string([]rune(out)[:60])
	}
	if out == "" {
		out = "_"
	}
	return out
}
