package reports_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"shequ/reports"
	"shequ/reports/reportstest"
	"shequ/warehouse"
)

// db is the sample city's warehouse, built once for the package's tests.
var db *sql.DB

func TestMain(m *testing.M) {
	reportstest.Main(m, func(w *warehouse.Warehouse, _ string) error {
		db = w.DB
		return nil
	})
}

func TestDecimal(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		scale    int
		rescaled string
	}{
		{"1449470.00", "1449470.00", 2, "1449470.00"},
		{"-0.5", "-0.5", 0, "-1"},
		{"682300.905", "682300.905", 2, "682300.91"},
		{"0.000000001", "0.000000001", 2, "0.00"},
		{"12", "12", 2, "12.00"},
		{".5", "0.5", 0, "1"},
	} {
		d, err := reports.ParseDecimal(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if d.String() != tc.want {
			t.Errorf("ParseDecimal(%s).String() = %s, want %s", tc.in, d, tc.want)
		}
		if got := d.Rescale(tc.scale).String(); got != tc.rescaled {
			t.Errorf("%s rescaled to %d = %s, want %s", tc.in, tc.scale, got, tc.rescaled)
		}
	}
	if _, err := reports.ParseDecimal("1e5"); err == nil {
		t.Error("1e5 parsed as a decimal")
	}
	sum := reports.MustDecimal("0.10").Add(reports.MustDecimal("0.2"))
	if sum.String() != "0.30" {
		t.Errorf("0.10 + 0.2 = %s", sum)
	}
}

func TestDisplay(t *testing.T) {
	for _, tc := range []struct {
		v      reports.Value
		format string
		want   string
	}{
		{reports.MustDecimal("1449470.5"), reports.FormatYuan, "1,449,470.50"},
		{reports.MustDecimal("-16308.18"), reports.FormatYuan, "-16,308.18"},
		{0.5725908762401866, reports.FormatPercent, "57.26%"},
		{int64(1234567), reports.FormatInt, "1,234,567"},
		{true, reports.FormatBool, "是"},
		{91.77, reports.FormatScore, "91.77"},
		{nil, reports.FormatYuan, ""},
		{"临江区", reports.FormatText, "临江区"},
	} {
		if got := reports.DisplayAs(tc.v, tc.format); got != tc.want {
			t.Errorf("DisplayAs(%v, %s) = %q, want %q", tc.v, tc.format, got, tc.want)
		}
	}
	c := &reports.Column{Format: reports.FormatText, Values: map[string]string{"urban": "城市"}}
	if got := reports.Display("urban", c); got != "城市" {
		t.Errorf("value word = %q", got)
	}
}

func TestEmbeddedDefinitionsLoad(t *testing.T) {
	set, err := reports.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"annual", "allocation"} {
		if set.Definition(name) == nil {
			t.Errorf("no definition %s", name)
		}
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	fsys := fstest.MapFS{
		"definitions/bad.yaml": {Data: []byte(`
name: bad
title: 坏
sheets:
  - name: "a/b"
    source: marts.coverage
    columns:
      - {name: x, format: money}
      - {name: y, heading: Y, highlight: "y < 3", total: avg}
    charts:
      - {type: radar, category: z, series: [y]}
  - name: t
    sql: missing.sql
    columns: [{name: a, heading: A}]
`)},
		"definitions/typo.yaml": {Data: []byte("name: typo\ntitle: T\nsheetz: []\n")},
	}
	_, err := reports.Load(fsys, "r")
	if err == nil {
		t.Fatal("bad definitions loaded")
	}
	for _, want := range []string{
		"r/definitions/bad.yaml: sheet a/b: a sheet name has at most 31 characters",
		"column x: heading is missing",
		`column x: format "money"`,
		`column y: highlight "y < 3"`,
		`column y: total "avg"`,
		`chart 1: type "radar"`,
		`chart 1: category "z" is not a column`,
		"sheet t: sql: r/sql/missing.sql",
		"r/definitions/typo.yaml: yaml: unmarshal errors",
		"field sheetz not found",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func annual(t *testing.T) *reports.Definition {
	t.Helper()
	set, err := reports.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return set.Definition("annual")
}

func TestReadAnnualMatchesExpected(t *testing.T) {
	ctx := context.Background()
	data, err := annual(t).Read(ctx, db, reports.Filter{Year: 2013}, reports.Options{City: reportstest.City})
	if err != nil {
		t.Fatal(err)
	}
	if data.Title != "江州市2013年度社区服务年度报告" {
		t.Errorf("title %q", data.Title)
	}
	if data.Stamp.RunID != reportstest.RunID || len(data.Stamp.Inputs) != 8 || len(data.Stamp.PolicyDigest) != 12 {
		t.Errorf("stamp %+v", data.Stamp)
	}
	cov := data.Sheet("覆盖率")
	exp, err := reportstest.Expected("coverage")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range exp {
		if e["year"] != "2013" {
			continue
		}
		for i := range cov.Rows {
			if cov.Get(i, "district") != e["district"] {
				continue
			}
			n++
			side := e["urban_rural"]
			want, _ := strconv.ParseFloat(e["coverage_rate"], 64)
			got, _ := reports.Float(cov.Get(i, side+"_rate"))
			if got != want {
				t.Errorf("%s %s rate %v, want %v", e["district"], side, got, want)
			}
			meets := e["meets_target"] == "true"
			c := cov.Sheet.Column(side + "_rate")
			if cov.Highlighted(i, c) == meets {
				t.Errorf("%s %s: highlighted %v with meets_target %v", e["district"], side, cov.Highlighted(i, c), meets)
			}
		}
	}
	if n != 4 {
		t.Errorf("compared %d coverage rows, want 4", n)
	}
	// The city row: 19 of 20 urban and 5 of 20 rural communities covered.
	if cov.Totals[0] != "全市" || cov.Totals[1] != int64(20) || cov.Totals[2] != int64(19) || cov.Totals[3] != 0.95 {
		t.Errorf("coverage totals %v", cov.Totals)
	}

	rew := data.Sheet("市级奖励")
	if len(rew.Rows) != 2 {
		t.Fatalf("%d reward rows", len(rew.Rows))
	}
	total := rew.Totals[7].(reports.Decimal)
	if total.String() != "2531423.50" {
		t.Errorf("allocation total %s, want 2531423.50 (1449470.00 + 1081953.50)", total)
	}
	// The first page's findings: the city's first, then a sentence per
	// district (the files are listed in the details, not on the cover).
	if len(data.Cover) != 1 {
		t.Fatalf("cover tables: %d, want the findings", len(data.Cover))
	}
	var findings []string
	for i := range data.Cover[0].Rows {
		findings = append(findings, data.Cover[0].Get(i, "finding").(string))
	}
	if len(findings) != 9 || !strings.HasPrefix(findings[0], "城市社区覆盖率 95.0%，目标 100%") ||
		!strings.HasPrefix(findings[7], "临江区：") || !strings.HasPrefix(findings[8], "青山区：") {
		t.Errorf("findings:\n%s", strings.Join(findings, "\n"))
	}
}

func TestReadOneDistrict(t *testing.T) {
	data, err := annual(t).Read(context.Background(), db, reports.Filter{Year: 2014, District: "青山区"}, reports.Options{City: reportstest.City})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range data.Sheets {
		for i := range tb.Rows {
			if d := tb.Get(i, "district"); d != nil && d != "青山区" {
				t.Errorf("sheet %s row %d is of %v", tb.Sheet.Name, i, d)
			}
		}
	}
	if data.Title != "江州市青山区2014年度社区服务年度报告" {
		t.Errorf("title %q", data.Title)
	}
}

func TestPersonalColumnsAreRefused(t *testing.T) {
	fsys := fstest.MapFS{
		"definitions/staff.yaml": {Data: []byte(`
name: staff
title: 人员
sheets:
  - name: 人员
    sql: staff.sql
    columns: [{name: project_code, heading: 项目}]
`)},
		"sql/staff.sql": {Data: []byte("SELECT year, project_code, staff_name FROM raw.staff")},
	}
	set, err := reports.Load(fsys, "r")
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Definition("staff").Read(context.Background(), db, reports.Filter{Year: 2013}, reports.Options{})
	if err == nil || !strings.Contains(err.Error(), "staff_name, which is personal data") {
		t.Errorf("err = %v, want a refusal of staff_name", err)
	}
}

func TestUnknownColumnNamesTheSheet(t *testing.T) {
	fsys := fstest.MapFS{
		"definitions/x.yaml": {Data: []byte(`
name: x
title: X
sheets:
  - name: 覆盖
    source: marts.coverage
    columns: [{name: coverage, heading: 覆盖率, format: percent}]
`)},
	}
	set, err := reports.Load(fsys, "r")
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Definition("x").Read(context.Background(), db, reports.Filter{Year: 2013}, reports.Options{})
	if err == nil || !strings.Contains(err.Error(), `sheet 覆盖, marts.coverage: column "coverage" is not a column of the query (it has year, district`) {
		t.Errorf("err = %v", err)
	}
}

// TestReadmeExample loads and reads the definition README.md shows.
func TestReadmeExample(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no yaml example")
	}
	q, err := fs.ReadFile(reports.Embedded(), "sql/staffing.sql")
	if err != nil {
		t.Fatal(err)
	}
	set, err := reports.Load(fstest.MapFS{"definitions/x.yaml": {Data: []byte(example)}, "sql/staffing.sql": {Data: q}}, "readme")
	if err != nil {
		t.Fatal(err)
	}
	data, err := set.Definitions[0].Read(context.Background(), db, reports.Filter{Year: 2014}, reports.Options{City: reportstest.City})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(data.Sheets[0].Rows); n == 0 || data.Sheets[0].Totals == nil {
		t.Errorf("%d rows, totals %v", n, data.Sheets[0].Totals)
	}
}

// TestLoadDir reads a folder laid out like reports/ (shequ report --reports DIR).
func TestLoadDir(t *testing.T) {
	set, err := reports.LoadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	emb, _ := reports.LoadEmbedded()
	if len(set.Definitions) != len(emb.Definitions) {
		t.Errorf("%d definitions from the folder, %d embedded", len(set.Definitions), len(emb.Definitions))
	}
	if _, err := reports.LoadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "has no definitions/ folder") {
		t.Errorf("err = %v", err)
	}
}
