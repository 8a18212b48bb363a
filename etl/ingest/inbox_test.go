package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shequ/etl"
	"shequ/samples"
)

// TestEveryInboxEntryHasAnOutcome puts beside a good roster what real
// inboxes hold besides files: a link, a pipe, a folder named like a
// workbook, hidden and lock files, and a roster whose name is in GBK
// bytes (a zip made on Chinese Windows). Each gets a recorded outcome, the
// GBK-named roster loads under its decoded name, and a rerun records
// nothing again.
func TestEveryInboxEntryHasAnOutcome(t *testing.T) {
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	roster, err := os.ReadFile(filepath.Join(samplesDir, "inbox/batch1/02_青山区社区名册.csv"))
	if err != nil {
		t.Fatal(err)
	}
	gbkName, err := simplifiedchinese.GBK.NewEncoder().String("青山区名册.csv")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(inbox, gbkName), roster, 0o644))
	must(os.WriteFile(filepath.Join(inbox, "..名册.csv"), []byte("x"), 0o644))
	must(os.WriteFile(filepath.Join(inbox, "~$名册.xlsx"), []byte("x"), 0o644))
	must(os.Symlink(filepath.Join(inbox, gbkName), filepath.Join(inbox, "link.csv")))
	must(syscall.Mkfifo(filepath.Join(inbox, "pipe.csv"), 0o644))
	must(os.MkdirAll(filepath.Join(inbox, "文件夹.xlsx"), 0o755))
	bad := string([]byte{0xff, 0xfe, 'a'}) + ".csv" // neither UTF-8 nor GB18030
	must(os.WriteFile(filepath.Join(inbox, bad), []byte("x"), 0o644))
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(inbox, gbkName), old, old)

	done := make(chan *Summary)
	go func() { done <- ingestOnce(t, w, inbox) }()
	var s *Summary
	select {
	case s = <-done:
	case <-time.After(time.Minute):
		t.Fatal("ingest hung on the inbox (a pipe must never be opened)")
	}
	got := queryStrings(t, w.DB, `SELECT file || ' ' || status FROM raw.submissions ORDER BY file`)
	want := []string{
		"..名册.csv skipped",
		"link.csv skipped",
		"pipe.csv skipped",
		"~$名册.xlsx skipped",
		"文件夹.xlsx skipped",
		"青山区名册.csv loaded",
		`\xFF\xFEa.csv quarantined`,
	}
	diffLines(t, "outcomes", got, want)
	if n := queryStrings(t, w.DB, `SELECT count(*)::VARCHAR FROM raw.submissions WHERE status = 'skipped' AND (reason IS NULL OR reason_zh IS NULL)`); n[0] != "0" {
		t.Errorf("%s skipped entries without a reason in both languages", n[0])
	}
	if len(s.Skipped) != 5 {
		t.Errorf("summary lists %d skipped entries, want 5", len(s.Skipped))
	}
	if rows := queryStrings(t, w.DB, `SELECT DISTINCT source_file FROM raw.communities`); len(rows) != 1 || rows[0] != "青山区名册.csv" {
		t.Errorf("roster rows come from %q, want the decoded name", rows)
	}
	before := fingerprint(t, w.DB)
	s2 := ingestOnce(t, w, inbox)
	if s2.New != 0 || len(s2.Skipped) != 0 || fingerprint(t, w.DB) != before {
		t.Errorf("rerun: %d new, %d skipped again; the warehouse changed: %v", s2.New, len(s2.Skipped), fingerprint(t, w.DB) != before)
	}
}

// TestPersonalFilesAreNotWorldReadable: the archive and the receipts hold
// the districts' rows, names and ID numbers among them: their files are
// 0640 and their folders 0750, whatever the umask.
func TestPersonalFilesAreNotWorldReadable(t *testing.T) {
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	stage(t, inbox, "batch1")
	receipts := filepath.Join(dir, "receipts")
	ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	n := 0
	for _, root := range []string{w.Path + ".archive", receipts} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			info, _ := d.Info()
			want := os.FileMode(0o640)
			if d.IsDir() {
				want = 0o750
			}
			if got := info.Mode().Perm(); got != want {
				t.Errorf("%s: mode %o, want %o", p, got, want)
			}
			n++
			return nil
		})
	}
	if n < 2*14 {
		t.Errorf("%d entries checked, want the archive and receipts of 14 files", n)
	}
}

// TestOverLimitFileIsNotArchived: a file over the size limit (a 3 GiB
// sparse file in the wild; here over a lowered limit) is quarantined
// without being read, and the archive keeps its digest and first bytes,
// never the whole file.
func TestOverLimitFileIsNotArchived(t *testing.T) {
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(inbox, "大文件.csv")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 20); err != nil { // sparse: 8 MiB of zeros
		t.Fatal(err)
	}
	f.Close()
	lim := etl.DefaultLimits
	lim.MaxFileBytes = 1 << 20
	s := ingestWith(t, w, Options{Inbox: inbox, Limits: lim, Receipts: filepath.Join(dir, "receipts")})
	if s.Quarantined != 1 || len(s.Files) != 1 || !strings.HasPrefix(s.Files[0].Reason, "too_large") || !strings.Contains(s.Files[0].ReasonZh, "文件过大") {
		t.Fatalf("files %+v, want one quarantined too_large", s.Files)
	}
	var kept int64
	filepath.WalkDir(w.Path+".archive", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			kept += info.Size()
		}
		return nil
	})
	if kept == 0 || kept > headBytes {
		t.Errorf("the archive keeps %d bytes of an 8 MiB file over the limit, want its first bytes only (≤ %d)", kept, headBytes)
	}
	if s.Files[0].Receipt == "" {
		t.Error("no receipt for the quarantined file")
	}
}

// TestProblemsPerFileAreCapped: a file of more bad rows than one file
// records (a hostile 1 048 575-row sheet in the wild) writes maxListed
// rejects and counts the rest; every row is still counted rejected.
func TestProblemsPerFileAreCapped(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 100 050 rows")
	}
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	stage(t, inbox, "batch1")
	var b strings.Builder
	b.WriteString("项目编号,服务日期,服务细项编号,活动名称,服务人次,义工人次\n")
	const rows = maxListed + 50
	for i := 0; i < rows; i++ {
		b.WriteString("2013519903001,2013-03-01,9.9.9,活动,1,0\n") // an unknown service item
	}
	if err := os.WriteFile(filepath.Join(inbox, "zz_坏文件.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s := ingestWith(t, w, Options{Inbox: inbox, Receipts: filepath.Join(dir, "receipts")})
	var got FileResult
	for _, f := range s.Files {
		if f.File == "zz_坏文件.csv" {
			got = f
		}
	}
	if got.Rejected != rows || got.Unrecorded != 50 {
		t.Errorf("rejected %d, unrecorded %d; want %d and 50", got.Rejected, got.Unrecorded, rows)
	}
	n := queryStrings(t, w.DB, `SELECT count(*)::VARCHAR || ' ' || max(s.problems_unrecorded)::VARCHAR FROM raw.rejects r JOIN raw.submissions s USING (submission_id) WHERE s.file = 'zz_坏文件.csv'`)
	if want := "100000 50"; n[0] != want {
		t.Errorf("rejects recorded and counted: %s, want %s", n[0], want)
	}
}

// TestFormulaWithoutSavedValue: a roster written by a program (never
// opened in Excel) whose 常住人口 is a formula with no saved result is not
// rejected as blank: the problem names the formula and says to open and
// save the file in Excel.
func TestFormulaWithoutSavedValue(t *testing.T) {
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	f := excelize.NewFile()
	rows := [][]any{
		{"年度", "区", "街道", "社区代码", "社区名称", "城乡类型", "常住人口"},
		{2014, "东区", "东街道", "519900000001", "一社区", "城市", 3000},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	f.SetSheetRow("Sheet1", "A3", &[]any{2014, "东区", "东街道", "519900000002", "二社区", "城市"})
	if err := f.SetCellFormula("Sheet1", "G3", "SUM(G2,100)"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(filepath.Join(inbox, "名册.xlsx")); err != nil {
		t.Fatal(err)
	}
	ingestOnce(t, w, inbox)
	got := queryStrings(t, w.DB, `SELECT "row" || ' ' || "column" || ' ' || code || ' ' || value || ' ' || message_zh FROM raw.rejects`)
	if len(got) != 1 || !strings.HasPrefix(got[0], "3 resident_population formula_without_value =SUM(G2,100) ") || !strings.Contains(got[0], "没有保存计算结果") {
		t.Errorf("rejects %q, want row 3's formula named, with no saved result", got)
	}
}

// TestQuarantinedFileFindsItsDistrict: a file nothing of which can be read
// has its district from its name (of the districts the warehouse knows),
// so its receipt is in that district's folder; a name of two districts, or
// of none, leaves it unknown.
func TestQuarantinedFileFindsItsDistrict(t *testing.T) {
	w, dir := openTemp(t)
	inbox, receipts := filepath.Join(dir, "inbox"), filepath.Join(dir, "receipts")
	if _, err := samples.CopyBatch("batch1", inbox); err != nil {
		t.Fatal(err)
	}
	ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	for _, name := range []string{"临江区/2015年服务记录.xlsx", "青山区2015年第一季度经费支出.xlsx", "临江区与青山区合并.xlsx", "无名.xlsx"} {
		p := filepath.Join(inbox, "bad", name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("not a workbook: "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	want := map[string]string{
		"bad/临江区/2015年服务记录.xlsx":    "临江区",
		"bad/青山区2015年第一季度经费支出.xlsx": "青山区",
		"bad/临江区与青山区合并.xlsx":        "",
		"bad/无名.xlsx":               "",
	}
	if s.Quarantined != len(want) {
		t.Fatalf("%d quarantined, want %d: %+v", s.Quarantined, len(want), s.Files)
	}
	for _, f := range s.Files {
		d, ok := want[f.File]
		if !ok {
			continue
		}
		folder := d
		if folder == "" {
			folder = "unknown"
		}
		if f.District != d || filepath.Base(filepath.Dir(f.Receipt)) != folder {
			t.Errorf("%s: district %q, receipt %s; want %q in %s/", f.File, f.District, f.Receipt, d, folder)
		}
		var recorded string
		w.DB.QueryRow(`SELECT coalesce(district, '') FROM raw.submissions WHERE file = ?`, f.File).Scan(&recorded)
		if recorded != d {
			t.Errorf("%s: raw.submissions.district %q, want %q", f.File, recorded, d)
		}
	}
}
