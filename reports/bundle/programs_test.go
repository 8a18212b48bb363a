package bundle_test

import (
	"bytes"
	"fmt"
	"html"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"shequ/reports"
	"shequ/reports/reportstest"
)

// TestLibreOffice opens the 2014 workbooks the way a person would, in
// LibreOffice, and prints them to PDF: every sheet starts a page with its
// title, in order; the calculation's formulas compute the allocations to
// the fen; and the calculation prints legibly: on landscape pages, more
// than one (the projects on pages of their own), its text at 8 pt or more.
//
// The size of the printed text is measured against a reference: a
// workbook with 8 pt text printed at 100 % in the same run. pdftotext
// -bbox gives each word's box; a word's height is its font's size times
// the font's ascent plus descent, the same for every word of a font, so a
// page whose digits and Chinese are no lower than the reference's prints
// at 8 pt or more.
func TestLibreOffice(t *testing.T) {
	soffice := reportstest.Program(t, "libreoffice", "soffice")
	pdfinfo := reportstest.Program(t, "pdfinfo")
	pdftotext := reportstest.Program(t, "pdftotext")
	dir := t.TempDir()
	ref := filepath.Join(dir, "reference8pt.xlsx")
	writeReference(t, ref, 8)
	books := []string{annualBook(2014), allocationBook(2014), ref}
	start := time.Now()
	convert(t, soffice, dir, books...)
	t.Logf("LibreOffice converted %d workbooks in %s", len(books), time.Since(start).Round(time.Millisecond))
	refHeights := wordHeights(t, pdftotext, filepath.Join(dir, "reference8pt.pdf"), 1)
	exp, _ := reportstest.Expected("city_rewards")
	for _, book := range books[:2] {
		pdf := filepath.Join(dir, strings.TrimSuffix(filepath.Base(book), ".xlsx")+".pdf")
		pages := pageCount(t, pdfinfo, pdf)
		f := open(t, book)
		sheets := f.GetSheetList()
		if pages < len(sheets) {
			t.Errorf("%s: %d pages for %d sheets", filepath.Base(pdf), pages, len(sheets))
		}
		// Each sheet's title on a page after the one before's.
		page := 1
		for i, sheet := range sheets {
			title, _ := f.GetCellValue(sheet, "A1")
			first := page
			for ; page <= pages; page++ {
				if strings.Contains(squash(pageText(t, pdftotext, pdf, page)), squash(title)) {
					break
				}
			}
			if page > pages {
				t.Errorf("%s: no page from %d on has the title %q of sheet %s", filepath.Base(pdf), first, title, sheet)
				page = first
				continue
			}
			end := pages
			if i+1 < len(sheets) {
				next, _ := f.GetCellValue(sheets[i+1], "A1")
				for end = page + 1; end <= pages; end++ {
					if strings.Contains(squash(pageText(t, pdftotext, pdf, end)), squash(next)) {
						break
					}
				}
				end--
			}
			var text strings.Builder
			for p := page; p <= end; p++ {
				text.WriteString(pageText(t, pdftotext, pdf, p))
			}
			for _, bad := range []string{"Err:", "#VALUE", "#NAME", "#REF", "#DIV/0", "###"} {
				if strings.Contains(text.String(), bad) {
					t.Errorf("%s pages %d–%d (%s) show %s", filepath.Base(pdf), page, end, sheet, bad)
				}
			}
			if sheet == "计算过程" {
				checkCalculationPrint(t, pdfinfo, pdftotext, pdf, page, end, refHeights)
				// Each allocation appears twice: computed by LibreOffice
				// from the formula, and as the allocation table has it.
				for _, e := range exp {
					if e["year"] != "2014" {
						continue
					}
					d, _ := reports.ParseDecimal(e["allocation"])
					shown := reports.DisplayAs(d, reports.FormatYuan)
					if n := strings.Count(text.String(), shown); n < 2 {
						t.Errorf("计算过程: %s appears %d times, want the formula's result beside the table's", shown, n)
					}
				}
			}
			page = end + 1
		}
	}
}

// checkCalculationPrint checks pages first..last of pdf, the calculation:
// more than one, landscape A4, no word of the body lower than the
// reference's 8 pt words.
func checkCalculationPrint(t *testing.T, pdfinfo, pdftotext, pdf string, first, last int, ref map[bool]float64) {
	t.Helper()
	if last <= first {
		t.Errorf("计算过程 prints on %d page, want several (the projects on pages of their own)", last-first+1)
	}
	info, err := exec.Command(pdfinfo, "-f", fmt.Sprint(first), "-l", fmt.Sprint(last), pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	for _, m := range regexp.MustCompile(`Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts`).FindAllStringSubmatch(string(info), -1) {
		w, _ := strconv.ParseFloat(m[2], 64)
		h, _ := strconv.ParseFloat(m[3], 64)
		if w < h || w < 840 || w > 843 {
			t.Errorf("计算过程 page %s is %s × %s pt, want A4 landscape", m[1], m[2], m[3])
		}
	}
	low := map[bool]int{}
	min := map[bool]float64{true: 1e9, false: 1e9}
	for p := first; p <= last; p++ {
		for cjk, hs := range bodyWordHeights(t, pdftotext, pdf, p) {
			for _, h := range hs {
				min[cjk] = math.Min(min[cjk], h)
				if h < ref[cjk]*0.98 {
					low[cjk]++
				}
			}
		}
	}
	for _, cjk := range []bool{false, true} {
		size := 8 * min[cjk] / ref[cjk]
		t.Logf("计算过程 (%d pages): smallest %s printed at %.1f pt", last-first+1, map[bool]string{false: "digits", true: "Chinese"}[cjk], size)
		if low[cjk] > 0 {
			t.Errorf("计算过程: %d words of %s print below 8 pt (the smallest at %.1f pt)", low[cjk], map[bool]string{false: "digits", true: "Chinese"}[cjk], size)
		}
	}
}

// writeReference writes a workbook of text at size pt printed at 100 %:
// digits and Chinese, for measuring printed sizes.
func writeReference(t *testing.T, path string, size float64) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	st, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Size: size}})
	for i, v := range []string{"1,234,567.89", "参考文字", "65.43%", "合计"} {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetCellStr("Sheet1", ref, v)
		f.SetCellStyle("Sheet1", ref, ref, st)
	}
	f.SetPageLayout("Sheet1", &excelize.PageLayoutOptions{Size: ptr(9), Orientation: ptr("landscape"), AdjustTo: ptr(uint(100))})
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// wordHeights gives the least height of the words of a page: digits and
// Latin (false), Chinese (true).
func wordHeights(t *testing.T, pdftotext, pdf string, page int) map[bool]float64 {
	t.Helper()
	out := map[bool]float64{}
	for cjk, hs := range bodyWordHeights(t, pdftotext, pdf, page) {
		out[cjk] = 1e9
		for _, h := range hs {
			out[cjk] = math.Min(out[cjk], h)
		}
	}
	if out[false] == 0 || out[true] == 0 {
		t.Fatalf("%s: no digits or no Chinese to measure: %v", pdf, out)
	}
	return out
}

var reWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// bodyWordHeights lists the heights of the words of a page's body (not in
// the header or footer margins, 36 pt), Chinese words apart.
func bodyWordHeights(t *testing.T, pdftotext, pdf string, page int) map[bool][]float64 {
	t.Helper()
	p := fmt.Sprint(page)
	b, err := exec.Command(pdftotext, "-bbox", "-f", p, "-l", p, pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	height := 595.0
	if m := regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)"`).FindSubmatch(b); m != nil {
		height, _ = strconv.ParseFloat(string(m[2]), 64)
	}
	out := map[bool][]float64{}
	for _, m := range reWord.FindAllStringSubmatch(string(b), -1) {
		y0, _ := strconv.ParseFloat(m[2], 64)
		y1, _ := strconv.ParseFloat(m[4], 64)
		if y0 < 36 || y1 > height-36 {
			continue // the page's header or footer
		}
		word := html.UnescapeString(m[5])
		cjk := false
		for _, r := range word {
			if unicode.Is(unicode.Han, r) {
				cjk = true
			}
		}
		if !cjk && strings.IndexFunc(word, unicode.IsDigit) < 0 {
			continue
		}
		out[cjk] = append(out[cjk], y1-y0)
	}
	return out
}

// convert prints workbooks to PDF with LibreOffice into dir.
func convert(t *testing.T, soffice, dir string, books ...string) {
	t.Helper()
	cmd := exec.Command(soffice, append([]string{"-env:UserInstallation=file://" + filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "pdf", "--outdir", dir}, books...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, b)
	}
}

// pageCount is the number of pages of a PDF.
func pageCount(t *testing.T, pdfinfo, pdf string) int {
	t.Helper()
	info, err := exec.Command(pdfinfo, pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", pdf, err, info)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo %s:\n%s", pdf, info)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func pageText(t *testing.T, pdftotext, pdf string, page int) string {
	t.Helper()
	p := fmt.Sprint(page)
	b, err := exec.Command(pdftotext, "-layout", "-f", p, "-l", p, pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(b)
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

// chromium runs headless Chromium on a file with the extra flags and
// returns its stdout and stderr.
func chromium(t *testing.T, bin string, args ...string) (string, string) {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.Command(bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// TestHTMLInChromium loads the HTML reports in headless Chromium: the
// charts and tables are in the rendered page, nothing is logged to the
// console, a screenshot is kept, and the allocation prints on A4.
func TestHTMLInChromium(t *testing.T) {
	bin := reportstest.Program(t, "chromium", "chromium-browser", "google-chrome")
	pdfinfo := reportstest.Program(t, "pdfinfo")
	start := time.Now()
	for _, tc := range []struct {
		file           string
		charts, tables int
		shot           string
	}{
		{"社区服务年度报告_2014.html", 3, 13, "report.png"},
		{"市级奖励资金分配表_2014.html", 0, 5, "allocation.png"},
	} {
		url := "file://" + filepath.ToSlash(filepath.Join(out, "2014", tc.file))
		dom, logs := chromium(t, bin, "--enable-logging=stderr", "--v=0", "--dump-dom", url)
		for _, bad := range []string{"Uncaught", "CONSOLE", "Failed to load", "net::ERR"} {
			if strings.Contains(logs, bad) {
				t.Errorf("%s: the console says %q:\n%s", tc.file, bad, logs)
			}
		}
		if n := strings.Count(dom, `<svg class="chart"`); n != tc.charts {
			t.Errorf("%s: %d charts rendered, want %d", tc.file, n, tc.charts)
		}
		if n := strings.Count(dom, "<table>"); n < tc.tables {
			t.Errorf("%s: %d tables rendered, want at least %d", tc.file, n, tc.tables)
		}
		if n := strings.Count(dom, `<rect class="bar"`) + strings.Count(dom, `class="slice"`); tc.charts > 0 && n < 8 {
			t.Errorf("%s: %d bars and slices in the charts", tc.file, n)
		}
		shot := reportstest.Artefact(tc.shot)
		os.Remove(shot)
		chromium(t, bin, "--screenshot="+shot, "--window-size=1280,1600", "--force-device-scale-factor=0.75", url)
		checkScreenshot(t, shot)
		t.Logf("screenshot of %s: %s", tc.file, shot)
	}
	// The allocation prints as an A4 portrait form, its calculation on
	// landscape pages.
	pdf := filepath.Join(t.TempDir(), "allocation.pdf")
	chromium(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+filepath.ToSlash(filepath.Join(out, "2014", "市级奖励资金分配表_2014.html")))
	info, err := exec.Command(pdfinfo, "-f", "1", "-l", "2", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	sizes := regexp.MustCompile(`Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts`).FindAllStringSubmatch(string(info), -1)
	if len(sizes) != 2 {
		t.Fatalf("pdfinfo:\n%s", info)
	}
	a4 := func(w, h string, portrait bool) bool {
		x, _ := strconv.ParseFloat(w, 64)
		y, _ := strconv.ParseFloat(h, 64)
		if !portrait {
			x, y = y, x
		}
		return x > 594 && x < 597 && y > 840 && y < 843
	}
	if !a4(sizes[0][1], sizes[0][2], true) || !a4(sizes[1][1], sizes[1][2], false) {
		t.Errorf("printed pages %v, want A4 portrait then A4 landscape", sizes)
	}
	t.Logf("Chromium checks took %s", time.Since(start).Round(time.Millisecond))
}

// checkScreenshot fails unless the file is a PNG with something drawn.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	colours := map[[3]uint32]bool{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 7 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 10, g >> 10, b >> 10}] = true
		}
	}
	if len(colours) < 20 || bounds.Dx() < 800 {
		t.Errorf("screenshot %s looks blank: %d colours, %v", path, len(colours), bounds)
	}
}
