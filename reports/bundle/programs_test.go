package bundle_test

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shequ/reports"
	"shequ/reports/reportstest"
)

// TestLibreOffice opens the 2014 workbooks the way a person would, in
// LibreOffice, and prints them to PDF: every sheet gives one page, with
// its title, and the calculation's formulas compute the allocations to the
// fen.
func TestLibreOffice(t *testing.T) {
	soffice := reportstest.Program(t, "libreoffice", "soffice")
	pdfinfo := reportstest.Program(t, "pdfinfo")
	pdftotext := reportstest.Program(t, "pdftotext")
	dir := t.TempDir()
	books := []string{annualBook(2014), allocationBook(2014)}
	start := time.Now()
	cmd := exec.Command(soffice, append([]string{"-env:UserInstallation=file://" + filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "pdf", "--outdir", dir}, books...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, b)
	}
	t.Logf("LibreOffice converted %d workbooks in %s", len(books), time.Since(start).Round(time.Millisecond))
	exp, _ := reportstest.Expected("city_rewards")
	for _, book := range books {
		pdf := filepath.Join(dir, strings.TrimSuffix(filepath.Base(book), ".xlsx")+".pdf")
		info, err := exec.Command(pdfinfo, pdf).CombinedOutput()
		if err != nil {
			t.Fatalf("pdfinfo %s: %v\n%s", pdf, err, info)
		}
		m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
		pages, _ := strconv.Atoi(string(m[1]))
		f := open(t, book)
		sheets := f.GetSheetList()
		if pages != len(sheets) {
			t.Errorf("%s: %d pages, want one per sheet (%d)", filepath.Base(pdf), pages, len(sheets))
		}
		for i, sheet := range sheets {
			title, _ := f.GetCellValue(sheet, "A1")
			text := pageText(t, pdftotext, pdf, i+1)
			if !strings.Contains(squash(text), squash(title)) {
				t.Errorf("%s page %d: no title %q of sheet %s in:\n%.300s", filepath.Base(pdf), i+1, title, sheet, text)
			}
			for _, bad := range []string{"Err:", "#VALUE", "#NAME", "#REF", "#DIV/0"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s page %d (%s) shows %s", filepath.Base(pdf), i+1, sheet, bad)
				}
			}
			if sheet != "计算过程" {
				continue
			}
			// Each allocation appears twice: computed by LibreOffice from
			// the formula, and as the allocation table has it.
			for _, e := range exp {
				if e["year"] != "2014" {
					continue
				}
				d, _ := reports.ParseDecimal(e["allocation"])
				shown := reports.DisplayAs(d, reports.FormatYuan)
				if n := strings.Count(text, shown); n < 2 {
					t.Errorf("计算过程: %s appears %d times, want the formula's result beside the table's", shown, n)
				}
			}
		}
	}
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
		{"社区服务年度报告_2014.html", 2, 11, "report.png"},
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
