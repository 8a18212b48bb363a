// Package reports owns the report definitions and the data they read: which
// marts (or small queries under sql/), which columns with their Chinese
// headings and formats, which cells are highlighted when they break a
// policy floor, which totals and charts — so a new report is a YAML file
// under definitions/, not new Go code. The writers for people (reports/xlsx,
// reports/html) and for machines (reports/export) render what Read returns;
// reports/bundle writes them all for one year.
//
// Like every package outside shequ/warehouse it reads the warehouse through
// database/sql only.
//
// A definition (definitions/*.yaml):
//
//	name: annual                 # its id
//	title: 社区服务年度报告        # the city and year are put in front
//	file: 社区服务年度报告         # written as <file>_<year>.xlsx and .html
//	cover: {tables: [...]}       # a cover sheet: city, year, stamp, these tables
//	sheets:
//	  - name: 覆盖率              # sheet name
//	    title: 各区社区服务覆盖率
//	    sql: coverage_by_district.sql    # or source: marts.coverage
//	    order: [district]
//	    columns:
//	      - {name: urban_rate, heading: 城市覆盖率, format: percent,
//	         highlight: urban_meets=false, total: ratio(urban_covered, urban_communities)}
//	    charts:
//	      - {type: column, title: 覆盖率与目标, category: district, series: [urban_rate, urban_target]}
//
// Every table is filtered to the report's year by its year column and,
// when the report is for one district, by its district column (when it has
// them).
package reports

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed definitions sql
var embedded embed.FS

// Embedded is the definitions/ and sql/ folders compiled into the binary.
func Embedded() fs.FS { return embedded }

// Formats of a column: how its values are shown.
const (
	FormatText    = "text"    // as it is
	FormatCode    = "code"    // an identifier: text, never a number
	FormatInt     = "int"     // 1,234
	FormatYuan    = "yuan"    // 1,234,567.89
	FormatPercent = "percent" // 57.26%
	FormatScore   = "score"   // 91.77
	FormatNumber  = "number"  // 1,594.90
	FormatRatio   = "ratio"   // 0.9876
	FormatBool    = "bool"    // 是 / 否
	FormatDate    = "date"    // 2015-01-10
)

var formats = map[string]bool{FormatText: true, FormatCode: true, FormatInt: true, FormatYuan: true, FormatPercent: true,
	FormatScore: true, FormatNumber: true, FormatRatio: true, FormatBool: true, FormatDate: true}

// Chart types.
const (
	ChartColumn = "column" // vertical bars, series side by side
	ChartBar    = "bar"    // horizontal bars
	ChartPie    = "pie"    // one series, shares of the whole
)

// Layouts of a report.
const (
	LayoutBook = "book" // a cover sheet, then one sheet per table (default)
	LayoutForm = "form" // a printable form: title, table, notes, signature lines
)

// Files a report is written as.
const (
	FormatXLSX = "xlsx" // the workbook
	FormatHTML = "html" // the page
)

// Writes says whether the report is written as the file format (xlsx or
// html).
func (d *Definition) Writes(format string) bool {
	for _, f := range d.Formats {
		if f == format {
			return true
		}
	}
	return false
}

// Appendices a report may ask for; each is built by Go code (reports/rewards).
const AppendixRewardCalculation = "city_rewards_calculation"

// Definition is one report.
type Definition struct {
	Name        string   `yaml:"name"`
	Title       string   `yaml:"title"`
	File        string   `yaml:"file"`
	Description string   `yaml:"description"`
	Layout      string   `yaml:"layout"`      // book (default) or form
	Orientation string   `yaml:"orientation"` // portrait or landscape (default)
	CityWide    bool     `yaml:"city_wide"`   // ignore --district: the report is about the whole city
	Notes       []string `yaml:"notes"`       // printed under the tables
	NotesSQL    string   `yaml:"notes_sql"`   // a query whose column note gives more notes
	Signatures  []string `yaml:"signatures"`  // signature lines of a form (制表, 审核…)
	Appendix    string   `yaml:"appendix"`    // city_rewards_calculation
	Formats     []string `yaml:"formats"`     // xlsx, html: what is written (default both)
	Cover       *Cover   `yaml:"cover"`
	Sheets      []*Sheet `yaml:"sheets"`

	// Path is where the definition was read from ("definitions/annual.yaml").
	Path string `yaml:"-"`
	set  *Set
}

// Cover is the first sheet of a book: the fixed facts (city, year, data as
// of, the warehouse stamp) and these tables.
type Cover struct {
	Tables []*Sheet `yaml:"tables"`
}

// Sheet is one table: a sheet of the workbook, a section of the HTML page.
type Sheet struct {
	Name     string    `yaml:"name"` // sheet name, at most 31 characters
	Title    string    `yaml:"title"`
	Note     string    `yaml:"note"`
	Source   string    `yaml:"source"` // a table such as marts.coverage …
	SQL      string    `yaml:"sql"`    // … or a query file under sql/
	Distinct bool      `yaml:"distinct"`
	Order    []string  `yaml:"order"` // columns to sort by (a trailing " desc" sorts descending)
	Empty    string    `yaml:"empty"` // shown when there is no row
	Columns  []*Column `yaml:"columns"`
	Totals   string    `yaml:"totals"` // label of the totals row; none without
	Charts   []*Chart  `yaml:"charts"`
	// Hidden sheets are read but not written (an appendix reads them).
	Hidden bool `yaml:"hidden"`
	// Appendix sheets come after the findings: the page prints them from
	// a new page on.
	Appendix bool `yaml:"appendix"`

	query string // the SELECT, read from sql/ or made from Source
	def   *Definition
}

// EmptyText is what a table shows when it has no row: the sheet's own
// text, else 本年度无数据.
func (s *Sheet) EmptyText() string {
	if s.Empty != "" {
		return s.Empty
	}
	return "（本年度无数据）"
}

// Column is one column of a table.
type Column struct {
	Name      string            `yaml:"name"` // column of the source
	Heading   string            `yaml:"heading"`
	Format    string            `yaml:"format"`
	Highlight string            `yaml:"highlight"` // flag=false: highlight the cell when that column is false
	Values    map[string]string `yaml:"values"`    // words for codes (urban: 城市)
	Total     string            `yaml:"total"`     // sum, or ratio(a, b) = Σa / Σb
	Width     float64           `yaml:"width"`     // column width in characters; 0: fit the content

	// Parsed Highlight and Total.
	HighlightFlag  string `yaml:"-"`
	HighlightWhen  bool   `yaml:"-"`
	TotalNum       string `yaml:"-"`
	TotalDen       string `yaml:"-"`
	TotalIsSum     bool   `yaml:"-"`
	highlightGiven bool
}

// Chart is a native chart in the workbook and an SVG chart in the HTML page.
type Chart struct {
	Type     string   `yaml:"type"` // column, bar or pie
	Title    string   `yaml:"title"`
	Category string   `yaml:"category"` // column naming the categories
	Series   []string `yaml:"series"`   // columns of values, each a series
	Format   string   `yaml:"format"`   // of the value axis; the first series' format by default
}

// Set is every definition read from one folder, with the queries they use.
type Set struct {
	Root        string // how the folder is named in messages ("reports")
	Definitions []*Definition
	fsys        fs.FS
}

// Definition returns the definition named name, or nil.
func (s *Set) Definition(name string) *Definition {
	for _, d := range s.Definitions {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// SQL returns the text of a query file under sql/.
func (s *Set) SQL(name string) (string, error) {
	b, err := fs.ReadFile(s.fsys, path.Join("sql", name))
	if err != nil {
		return "", fmt.Errorf("%s/sql/%s: %w", s.Root, name, err)
	}
	return trimSQL(string(b)), nil
}

// LoadEmbedded reads the definitions compiled into the binary.
func LoadEmbedded() (*Set, error) { return Load(Embedded(), "reports") }

// LoadDir reads the definitions of a folder laid out like reports/:
// definitions/*.yaml and sql/*.sql (for `shequ report --reports DIR`).
func LoadDir(dir string) (*Set, error) {
	if _, err := os.Stat(path.Join(dir, "definitions")); err != nil {
		return nil, fmt.Errorf("load reports: %s has no definitions/ folder: %w", dir, err)
	}
	return Load(os.DirFS(dir), path.Clean(strings.ReplaceAll(dir, `\`, "/")))
}

// Load reads and checks every definitions/*.yaml of fsys. Every problem of
// every file is reported at once, each naming its file.
func Load(fsys fs.FS, root string) (*Set, error) {
	set := &Set{Root: root, fsys: fsys}
	names, err := fs.Glob(fsys, "definitions/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("load reports: no definitions/*.yaml in %s", root)
	}
	var errs []error
	seen := map[string]string{}
	for _, name := range names {
		disp := root + "/" + name
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d := &Definition{}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(d); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", disp, err))
			continue
		}
		d.Path, d.set = disp, set
		for _, e := range set.check(d) {
			errs = append(errs, fmt.Errorf("%s: %s", disp, e))
		}
		if prev, ok := seen[d.Name]; ok && d.Name != "" {
			errs = append(errs, fmt.Errorf("%s: name %q is already used by %s", disp, d.Name, prev))
		}
		seen[d.Name] = disp
		set.Definitions = append(set.Definitions, d)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("load reports: %w", errors.Join(errs...))
	}
	return set, nil
}

var (
	reRatio     = regexp.MustCompile(`^ratio\(\s*(\w+)\s*,\s*(\w+)\s*\)$`)
	reHighlight = regexp.MustCompile(`^(\w+)\s*=\s*(true|false)$`)
	reSheetBad  = regexp.MustCompile(`[\[\]:*?/\\]`)
)

// check validates a definition that does not need the database; the
// columns are checked against the queries when the report is read.
func (s *Set) check(d *Definition) []string {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if d.Name == "" {
		bad("name is missing: give the report an id such as `name: annual`")
	}
	if d.Title == "" {
		bad("title is missing")
	}
	if d.File == "" {
		d.File = d.Name
	}
	if strings.ContainsAny(d.File, `/\:*?"<>|`) {
		bad("file %q may not contain / \\ : * ? \" < > |", d.File)
	}
	switch d.Layout {
	case "":
		d.Layout = LayoutBook
	case LayoutBook, LayoutForm:
	default:
		bad("layout %q: use book or form", d.Layout)
	}
	switch d.Orientation {
	case "":
		d.Orientation = "landscape"
		if d.Layout == LayoutForm {
			d.Orientation = "portrait"
		}
	case "portrait", "landscape":
	default:
		bad("orientation %q: use portrait or landscape", d.Orientation)
	}
	if len(d.Formats) == 0 {
		d.Formats = []string{FormatXLSX, FormatHTML}
	}
	for _, f := range d.Formats {
		if f != FormatXLSX && f != FormatHTML {
			bad("formats: %q: use xlsx and html", f)
		}
	}
	switch d.Appendix {
	case "", AppendixRewardCalculation:
	default:
		bad("appendix %q: the only one is %s", d.Appendix, AppendixRewardCalculation)
	}
	if d.NotesSQL != "" {
		if _, err := s.SQL(d.NotesSQL); err != nil {
			bad("notes_sql: %v", err)
		}
	}
	if len(d.Sheets) == 0 {
		bad("no sheets: a report needs at least one table")
	}
	var tables []*Sheet
	if d.Cover != nil {
		if d.Layout == LayoutForm {
			bad("cover: a form has no cover sheet")
		}
		tables = append(tables, d.Cover.Tables...)
	}
	sheetNames := map[string]bool{}
	for i, sh := range d.Sheets {
		where := fmt.Sprintf("sheet %d", i+1)
		if sh.Name == "" {
			bad("%s: name is missing", where)
		} else {
			where = "sheet " + sh.Name
			if n := len([]rune(sh.Name)); n > 31 || reSheetBad.MatchString(sh.Name) || sh.Name == "封面" {
				bad("%s: a sheet name has at most 31 characters, none of [ ] : * ? / \\, and is not 封面", where)
			}
			if sheetNames[sh.Name] {
				bad("%s: two sheets have this name", where)
			}
			sheetNames[sh.Name] = true
		}
	}
	for i, sh := range append(tables, d.Sheets...) {
		sh.def = d
		where := "sheet " + sh.Name
		if sh.Name == "" {
			where = fmt.Sprintf("cover table %d", i+1)
		}
		errs = append(errs, s.checkSheet(sh, where)...)
	}
	return errs
}

func (s *Set) checkSheet(sh *Sheet, where string) []string {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, where+": "+fmt.Sprintf(format, a...)) }
	switch {
	case sh.Source != "" && sh.SQL != "":
		bad("give source or sql, not both")
	case sh.Source != "":
		if !regexp.MustCompile(`^(marts|intermediate|staging|policy)\.\w+$`).MatchString(sh.Source) {
			bad("source %q: name a table such as marts.coverage, or put a query in sql/ and name it with sql:", sh.Source)
		}
		sh.query = "SELECT * FROM " + sh.Source
	case sh.SQL != "":
		q, err := s.SQL(sh.SQL)
		if err != nil {
			bad("sql: %v", err)
		}
		sh.query = q
	default:
		bad("no source: give source: marts.x or sql: file.sql")
	}
	if len(sh.Columns) == 0 {
		bad("no columns")
	}
	cols := map[string]*Column{}
	for j, c := range sh.Columns {
		cw := fmt.Sprintf("column %d", j+1)
		if c.Name == "" {
			bad("%s: name is missing", cw)
			continue
		}
		cw = "column " + c.Name
		if cols[c.Name] != nil {
			bad("%s: listed twice", cw)
		}
		cols[c.Name] = c
		if c.Heading == "" {
			bad("%s: heading is missing (the Chinese heading people read)", cw)
		}
		if c.Format == "" {
			c.Format = FormatText
		}
		if !formats[c.Format] {
			bad("%s: format %q: use one of %s", cw, c.Format, strings.Join(sortedKeys(formats), ", "))
		}
		if c.Highlight != "" {
			m := reHighlight.FindStringSubmatch(strings.TrimSpace(c.Highlight))
			if m == nil {
				bad("%s: highlight %q: write flag=false (highlight when the boolean column flag is false) or flag=true", cw, c.Highlight)
			} else {
				c.HighlightFlag, c.HighlightWhen, c.highlightGiven = m[1], m[2] == "true", true
			}
		}
		switch t := strings.TrimSpace(c.Total); {
		case t == "":
		case t == "sum":
			c.TotalIsSum = true
			if !numeric(c.Format) {
				bad("%s: total sum needs a number format, not %s", cw, c.Format)
			}
		case reRatio.MatchString(t):
			m := reRatio.FindStringSubmatch(t)
			c.TotalNum, c.TotalDen = m[1], m[2]
		default:
			bad("%s: total %q: use sum or ratio(numerator_column, denominator_column)", cw, c.Total)
		}
	}
	if sh.Totals == "" {
		for _, c := range sh.Columns {
			if c.Total != "" {
				bad("column %s has a total but the sheet has no totals: label (such as totals: 合计)", c.Name)
				break
			}
		}
	}
	for _, o := range sh.Order {
		if strings.TrimSpace(strings.TrimSuffix(o, " desc")) == "" {
			bad("order: empty column")
		}
	}
	for k, ch := range sh.Charts {
		chw := fmt.Sprintf("chart %d", k+1)
		switch ch.Type {
		case ChartColumn, ChartBar:
		case ChartPie:
			if len(ch.Series) != 1 {
				bad("%s: a pie chart has exactly one series", chw)
			}
		default:
			bad("%s: type %q: use column, bar or pie", chw, ch.Type)
		}
		if cols[ch.Category] == nil {
			bad("%s: category %q is not a column of the sheet", chw, ch.Category)
		}
		if len(ch.Series) == 0 {
			bad("%s: no series", chw)
		}
		for _, se := range ch.Series {
			c := cols[se]
			if c == nil {
				bad("%s: series %q is not a column of the sheet", chw, se)
			} else if !numeric(c.Format) {
				bad("%s: series %q is not a number column", chw, se)
			} else if ch.Format == "" {
				ch.Format = c.Format
			}
		}
		if ch.Title == "" {
			ch.Title = sh.Title
		}
	}
	return errs
}

func numeric(format string) bool {
	switch format {
	case FormatInt, FormatYuan, FormatPercent, FormatScore, FormatNumber, FormatRatio:
		return true
	}
	return false
}

// Numeric reports whether a format shows numbers.
func Numeric(format string) bool { return numeric(format) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// trimSQL drops a trailing semicolon and blank space: the query is wrapped
// in a SELECT.
func trimSQL(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSpace(strings.TrimSuffix(s, ";"))
}

// Column returns the sheet's column named name, or nil.
func (sh *Sheet) Column(name string) *Column {
	for _, c := range sh.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Definition is the report the sheet belongs to.
func (sh *Sheet) Definition() *Definition { return sh.def }

// Query is the SELECT the sheet reads, before filtering.
func (sh *Sheet) Query() string { return sh.query }
