package bundle_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"shequ/pipeline"
	"shequ/reports/reportstest"
	"shequ/samples/gen"
	"shequ/warehouse"
)

// TestSevenDistrictCityPrints runs the nightly job on a generated city of
// seven districts, 1000 communities and two years (samples/gen, as `shequ
// gen --communities 1000` makes it: 190 files, about 630 projects a year)
// and prints its 2015 reports as a planner would. The annual page, printed
// by headless Chromium (--print-to-pdf, counted by pdfinfo), takes fewer
// than 40 pages (179 before: the file list came first and every project
// had a row in each topic) and its workbook, printed by LibreOffice, fewer
// than 40 (92 before). The findings come first: the first page has the
// findings, not the files; the uncovered communities are named; no file
// is listed in the page, so the page grows with the districts, not with
// the files. The calculation of the allocation still prints at 8 pt or
// more with the city's larger sums.
func TestSevenDistrictCityPrints(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and runs a city of seven districts")
	}
	bin := reportstest.Program(t, "chromium", "chromium-browser", "google-chrome")
	soffice := reportstest.Program(t, "libreoffice", "soffice")
	pdfinfo := reportstest.Program(t, "pdfinfo")
	pdftotext := reportstest.Program(t, "pdftotext")
	ctx := context.Background()
	dir := t.TempDir()
	start := time.Now()
	inbox := filepath.Join(dir, "inbox")
	g, err := gen.Generate(gen.Config{Communities: 1000, FromYear: 2014, ToYear: 2015, Activities: 20000, Seed: 1, Out: inbox})
	if err != nil {
		t.Fatal(err)
	}
	cfg := pipeline.Resolve(pipeline.Config{Warehouse: filepath.Join(dir, "city.duckdb"), Inbox: inbox, Out: filepath.Join(dir, "out")},
		func(string) string { return "" })
	if _, err := pipeline.New(cfg).Run(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	t.Logf("generated and ran the city (%d files) in %s", len(g.Files), time.Since(start).Round(time.Millisecond))

	// What the page must show: the districts, an uncovered community.
	w, err := warehouse.Open(ctx, cfg.Warehouse, warehouse.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var districts int
	var uncovered string
	err = w.DB.QueryRow(`SELECT (SELECT count(DISTINCT district) FROM marts.data_quality WHERE year = 2015),
		(SELECT min(community_name) FROM intermediate.community_years WHERE year = 2015 AND NOT covered AND urban_rural = 'urban')`).Scan(&districts, &uncovered)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if districts != 7 {
		t.Fatalf("the generated city has %d districts, want 7", districts)
	}

	page := filepath.Join(cfg.Out, "2015", "社区服务年度报告_2015.html")
	pdf := filepath.Join(dir, "page.pdf")
	reportstest.Chromium(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+filepath.ToSlash(page))
	pages := pageCount(t, pdfinfo, pdf)
	t.Logf("the annual page of the seven-district city prints on %d pages", pages)
	if pages >= 40 {
		t.Errorf("the annual page prints on %d pages, want fewer than 40", pages)
	}
	first := squash(pageText(t, pdftotext, pdf, 1))
	for _, want := range []string{"2015年度社区服务年度报告", "主要情况", "城市社区覆盖率", "年度评估", "市级资金"} {
		if !strings.Contains(first, squash(want)) {
			t.Errorf("the first printed page lacks %q", want)
		}
	}
	var all strings.Builder
	for p := 1; p <= pages; p++ {
		all.WriteString(pageText(t, pdftotext, pdf, p))
	}
	text := squash(all.String())
	if !strings.Contains(text, uncovered) {
		t.Errorf("the page does not name the uncovered community %s", uncovered)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for _, f := range g.Files {
		if f.Year != 2015 {
			continue
		}
		listed++
		if strings.Contains(string(b), filepath.Base(f.Path)) {
			t.Errorf("the page lists the file %s (the files are in the details workbook)", f.Path)
		}
	}
	if listed < 50 {
		t.Errorf("the city has %d files of 2015", listed)
	}
	// A row per district (or per district and kind) in every table: the
	// page grows with the districts.
	if rows := strings.Count(string(b), "<tr>"); rows > 20*districts+60 {
		t.Errorf("the page has %d table rows for %d districts", rows, districts)
	}
	for _, css := range []string{"@media print", "break-before: page", "thead { display: table-header-group; }", "break-inside: avoid"} {
		if !strings.Contains(string(b), css) {
			t.Errorf("the page's print stylesheet lacks %q", css)
		}
	}

	// The workbooks, printed by LibreOffice.
	annual := filepath.Join(cfg.Out, "2015", "社区服务年度报告_2015.xlsx")
	alloc := filepath.Join(cfg.Out, "2015", "市级奖励资金分配表_2015.xlsx")
	ref := filepath.Join(dir, "reference8pt.xlsx")
	writeReference(t, ref, 8)
	start = time.Now()
	convert(t, soffice, dir, annual, alloc, ref)
	t.Logf("LibreOffice printed the workbooks in %s", time.Since(start).Round(time.Millisecond))
	n := pageCount(t, pdfinfo, filepath.Join(dir, "社区服务年度报告_2015.pdf"))
	t.Logf("the annual workbook of the seven-district city prints on %d pages", n)
	if n >= 40 {
		t.Errorf("the annual workbook prints on %d pages, want fewer than 40", n)
	}
	apdf := filepath.Join(dir, "市级奖励资金分配表_2015.pdf")
	last := pageCount(t, pdfinfo, apdf)
	firstCalc := 0
	for p := 1; p <= last && firstCalc == 0; p++ {
		if regexp.MustCompile(`年度市级奖励资金计算过程`).MatchString(squash(pageText(t, pdftotext, apdf, p))) {
			firstCalc = p
		}
	}
	if firstCalc == 0 {
		t.Fatal("no page of the calculation")
	}
	checkCalculationPrint(t, pdfinfo, pdftotext, apdf, firstCalc, last, wordHeights(t, pdftotext, filepath.Join(dir, "reference8pt.pdf"), 1))
}
