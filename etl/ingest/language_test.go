package ingest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shequ/etl/receipt"
)

// latin finds what is left of a message once its values are taken out: a
// run of Latin letters is English a district cannot be asked to read.
var latin = regexp.MustCompile(`[A-Za-z]{2,}`)

// quoted are the parts of a Chinese message that quote the district's own
// data: values in “…”, headers in 「…」, and cell letters before 列.
var quoted = regexp.MustCompile(`“[^”]*”|「[^」]*」|[A-Z]{1,3}列|shequ [a-z]+|\.xlsx|Excel`)

// TestReceiptsAreChinese: every message a district reads — in
// raw.rejects.message_zh and on every receipt's 回执 sheet — is Chinese,
// but for the district's own values, its headers and the English code in
// its own column.
func TestReceiptsAreChinese(t *testing.T) {
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	receipts := filepath.Join(dir, "receipts")
	stage(t, inbox, "batch1")
	// Rows that meet every kind of problem: a funding mismatch, a missing
	// column, a bad score, an ambiguous rate, an unknown project.
	os.WriteFile(filepath.Join(inbox, "zz_问题.csv"), []byte("年度,项目编号,评估阶段,服务设施得分,服务队伍得分,服务活动得分,建设经费得分,服务人次,满意率\n"+
		"2013,2013519903001,年度,45,18,18,18,3000,1.2\n2013,2013519909999,中期,30,18,18,18,-1,0.9\n2099,2013519903001,终期,30,18,18,18,100,0.9\n"), 0o644)
	ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	check := func(where, msg string) {
		if rest := quoted.ReplaceAllString(msg, ""); latin.MatchString(rest) {
			t.Errorf("%s: English in a district's message: %q", where, msg)
		}
	}
	for _, m := range queryStrings(t, w.DB, `SELECT message_zh FROM raw.rejects`) {
		check("raw.rejects", m)
	}
	n := 0
	filepath.WalkDir(receipts, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := excelize.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows(receipt.Sheet)
		for _, r := range rows {
			for i, c := range r {
				if i == 6 || i == 4 || i == 1 && strings.HasSuffix(r[0], "文件") {
					continue // the English code, the value, the file's name
				}
				if len(r) > 1 && (r[0] == receipt.LabelFile || r[0] == receipt.LabelSHA256) {
					continue
				}
				check(filepath.Base(p), c)
			}
		}
		n++
		return nil
	})
	// One per file, and one more for each of the six files of batch1
	// that cover both districts (a receipt per district).
	if n != 21 {
		t.Errorf("%d receipts, want 21", n)
	}
}

// TestCleanFilesGetSummaryReceipts: every file gets its receipt; a file
// in which no row had a problem gets the summary alone (the 回执 sheet),
// a file with problems its annotated copy too.
func TestCleanFilesGetSummaryReceipts(t *testing.T) {
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	receipts := filepath.Join(dir, "receipts")
	stage(t, inbox, "batch1")
	s := ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	clean, copies := 0, 0
	for _, fr := range s.Files {
		if fr.Receipt == "" {
			t.Errorf("%s has no receipt", fr.File)
			continue
		}
		f, err := excelize.OpenFile(fr.Receipt)
		if err != nil {
			t.Fatal(err)
		}
		sheets := f.GetSheetList()
		f.Close()
		summary := len(sheets) == 1 && sheets[0] == receipt.Sheet
		problems := fr.Rejected > 0 || fr.Warned > 0 || fr.Status != StatusLoaded
		switch {
		case fr.Status == StatusLoaded && !problems && !summary:
			t.Errorf("%s: no problem, but its receipt has sheets %v", fr.File, sheets)
		case fr.Status == StatusLoaded && problems && summary:
			t.Errorf("%s: %d rejected, %d warned, but its receipt has no copy", fr.File, fr.Rejected, fr.Warned)
		case summary && fr.Status == StatusLoaded:
			clean++
		case fr.Status == StatusLoaded:
			copies++
		}
	}
	if clean == 0 || copies == 0 {
		t.Errorf("%d summary receipts and %d with copies; the sample has both kinds of file", clean, copies)
	}
}
