package deltareport_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shequ/official"
	"shequ/official/deltareport"
	"shequ/reports"
	"shequ/reports/reportstest"
)

// sample is a restatement's delta such as the sample city's 2014 gives:
// evaluations corrected and the fourth quarter sent late.
func sample() (*official.Delta, deltareport.Meta) {
	at := time.Date(2015, 3, 2, 9, 30, 0, 0, official.Zone)
	d := &official.Delta{Year: 2014, From: 1, To: 2,
		Rows: []official.RowChange{
			{Mart: "city_rewards", Key: []string{"district"}, KeyVals: []string{"临江区"}, Change: "changed",
				Columns: []string{"eligible_projects", "allocation", "share"}, Old: []string{"6", "900000.00", "0.55"}, New: []string{"7", "968051.70", "0.5866"},
				Submissions: []int64{19, 21}, Direct: true},
			{Mart: "city_rewards", Key: []string{"district"}, KeyVals: []string{"青山区"}, Change: "changed",
				Columns: []string{"share"}, Old: []string{"0.45"}, New: []string{"0.4134"}, Submissions: []int64{19, 20, 21}, Direct: false},
			{Mart: "evaluation_scores", Key: []string{"project_code", "stage"}, KeyVals: []string{"LJ2014-003", "annual"}, Change: "added",
				Columns: []string{"year", "project_code", "stage", "total_score", "stars", "passed"}, Old: make([]string, 6),
				New: []string{"2014", "LJ2014-003", "annual", "86.5", "4", "true"}, Submissions: []int64{20}, Direct: true},
			{Mart: "fund_use", Key: []string{"project_code"}, KeyVals: []string{"2014519903001"}, Change: "changed",
				Columns: []string{"spent_total", "surplus", "overspent"}, Old: []string{"360000.00", "140000.00", "false"}, New: []string{"512345.67", "-12345.67", "true"},
				Submissions: []int64{21}, Direct: true},
		},
		Allocation: []official.Move{
			{District: "临江区", Old: "900000.00", New: "968051.70", Delta: "68051.70"},
			{District: "青山区", Old: "736000.00", New: "682300.91", Delta: "-53699.09"},
		},
		NewSubmissions: []official.Submission{
			{ID: 19, File: "batch2/17_临江区2014年第四季度经费支出.csv", SHA256: strings.Repeat("ab", 32), District: "临江区", Kinds: "expenditures", ReceivedAt: at.Add(-48 * time.Hour)},
			{ID: 20, File: "batch2/20_2014年度评估结果（年度）.csv", SHA256: strings.Repeat("cd", 32), Kinds: "evaluations", ReceivedAt: at.Add(-24 * time.Hour)},
			{ID: 21, File: "batch2/18_青山区2014年第四季度经费支出.xlsx", SHA256: strings.Repeat("ef", 32), District: "青山区", Kinds: "expenditures", ReceivedAt: at.Add(-24 * time.Hour)},
		},
	}
	set, _ := reports.LoadEmbedded()
	return d, deltareport.Meta{City: "江州市", Issuer: "江州市民政局", By: "李四", At: at, Reason: "第四季度补报与年度评估更正",
		Headings: deltareport.Headings(set), Now: at}
}

func write(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	d, m := sample()
	files, err := deltareport.Write(dir, d, m)
	if err != nil {
		t.Fatal(err)
	}
	return dir, files
}

// TestContent: the page says who restated, why, the yuan per district and
// every changed value with the submissions behind it, in Chinese.
func TestContent(t *testing.T) {
	_, files := write(t)
	page, err := os.ReadFile(files[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"江州市2014年度正式数据更正差异表（第1版→第2版）", "编制单位：江州市民政局", "李四", "第四季度补报与年度评估更正",
		"68,051.70", "-53,699.09", "14,352.61", "分配金额（元）（allocation）", "900000.00", "968051.70", "#21 batch2/18_青山区2014年第四季度经费支出.xlsx",
		"（间接：本年度新报送）", "新增", "是", strings.Repeat("ef", 32)} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	d, m := sample()
	m.Preview = true
	var b bytes.Buffer
	if err := deltareport.WriteHTML(&b, d, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "预览（未提交）") || deltareport.FileBase(d, true) != "更正预览_2014_v1-v2" {
		t.Errorf("a preview is not labelled as one")
	}
}

// TestLibreOffice prints the workbook to PDF as a person would: a page or
// more per sheet on A4, every sheet's title on its page, no error cell.
func TestLibreOffice(t *testing.T) {
	soffice := reportstest.Program(t, "libreoffice", "soffice")
	pdfinfo := reportstest.Program(t, "pdfinfo")
	pdftotext := reportstest.Program(t, "pdftotext")
	dir, files := write(t)
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "pdf", "--outdir", dir, files[0])
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, b)
	}
	pdf := strings.TrimSuffix(files[0], ".xlsx") + ".pdf"
	info, err := exec.Command(pdfinfo, "-f", "1", "-l", "20", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	pages, _ := strconv.Atoi(regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(string(info))[1])
	if pages < 4 {
		t.Errorf("%d pages, want one or more for each of the 4 sheets", pages)
	}
	for _, m := range regexp.MustCompile(`Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts`).FindAllStringSubmatch(string(info), -1) {
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		if w > h {
			w, h = h, w
		}
		if w < 594 || w > 597 || h < 840 || h > 843 {
			t.Errorf("a page is %s x %s pt, not A4", m[1], m[2])
		}
	}
	out, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, want := range []string{"江州市2014年度正式数据更正差异表", "江州市2014年度市级奖励资金分配变动", "68,051.70", "-53,699.09",
		"变动的数据行", "LJ2014-003", "新增或更正的报送文件"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed workbook lacks %q", want)
		}
	}
	for _, bad := range []string{"Err:", "#VALUE", "#NAME", "#REF"} {
		if strings.Contains(text, bad) {
			t.Errorf("the printed workbook shows %s", bad)
		}
	}
}

// TestChromium renders the page in headless Chromium: its tables are
// there, the console is silent, and it prints on A4 landscape.
func TestChromium(t *testing.T) {
	bin := reportstest.Program(t, "chromium", "chromium-browser", "google-chrome")
	pdfinfo := reportstest.Program(t, "pdfinfo")
	_, files := write(t)
	url := "file://" + filepath.ToSlash(files[1])
	dom, logs := chromium(t, bin, "--enable-logging=stderr", "--v=0", "--dump-dom", url)
	for _, bad := range []string{"Uncaught", "CONSOLE", "Failed to load", "net::ERR"} {
		if strings.Contains(logs, bad) {
			t.Errorf("the console says %q:\n%s", bad, logs)
		}
	}
	if n := strings.Count(dom, "<table>"); n != 3 {
		t.Errorf("%d tables rendered, want 3", n)
	}
	shot := reportstest.Artefact("delta.png")
	os.Remove(shot)
	chromium(t, bin, "--screenshot="+shot, "--window-size=1280,1400", url)
	if st, err := os.Stat(shot); err != nil || st.Size() < 10000 {
		t.Errorf("no screenshot of the page: %v", err)
	}
	pdf := filepath.Join(t.TempDir(), "delta.pdf")
	chromium(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, url)
	info, err := exec.Command(pdfinfo, "-f", "1", "-l", "1", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	m := regexp.MustCompile(`Page\s+1 size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(string(info))
	if m == nil {
		t.Fatalf("pdfinfo:\n%s", info)
	}
	w, _ := strconv.ParseFloat(m[1], 64)
	h, _ := strconv.ParseFloat(m[2], 64)
	if w < 840 || w > 843 || h < 594 || h > 597 {
		t.Errorf("the page prints on %s x %s pt, want A4 landscape", m[1], m[2])
	}
	t.Logf("screenshot: %s", shot)
}

// chromium runs headless Chromium with the flags of the reports' checks.
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
