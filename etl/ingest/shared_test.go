package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shequ/etl/etltest"
	"shequ/etl/receipt"
	"shequ/warehouse"
)

// receiptFacts reads the labelled lines of a receipt's 回执 sheet.
func receiptFacts(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		if len(r) > 1 && out[r[0]] == "" {
			out[r[0]] = r[1]
		}
	}
	return out
}

// TestSharedFileReceipts ingests the sample city's first batch, whose
// service records, evaluations and facility rooms each cover both
// districts: every such file gets a receipt in 临江区/ and one in 青山区/
// (none in "临江区,青山区/"), each counting and listing only its
// district's rows, its copy holding only them, and no value of the other
// district's projects or communities anywhere in the workbook; the rows of
// no district (an unknown project) get a receipt of their own. A file of
// one district keeps its one receipt.
func TestSharedFileReceipts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	receipts := filepath.Join(dir, "receipts")
	stage(t, inbox, "batch1")
	s := ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})

	entries, _ := os.ReadDir(receipts)
	for _, e := range entries {
		if strings.Contains(e.Name(), ",") {
			t.Errorf("a receipt folder for several districts: %s", e.Name())
		}
	}
	// The codes of each district's projects and communities, to look for
	// in the other's receipts.
	codes := map[string][]string{}
	for _, q := range []string{`SELECT DISTINCT district, project_code FROM raw.projects`, `SELECT DISTINCT district, community_code FROM raw.communities`} {
		rows, err := w.DB.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d, c string
			rows.Scan(&d, &c)
			codes[d] = append(codes[d], c)
		}
		rows.Close()
	}
	other := map[string]string{"临江区": "青山区", "青山区": "临江区"}
	// The receipts of a submission, wherever they are.
	receiptsOf := func(sub int64) []string {
		ps, _ := filepath.Glob(filepath.Join(receipts, "*", fmt.Sprintf("%d_*_回执.xlsx", sub)))
		return ps
	}
	shared := 0
	for _, f := range s.Files {
		if !strings.Contains(f.District, ",") {
			if ps := receiptsOf(f.Submission); len(ps) != 1 {
				t.Errorf("%s (%s): receipts %v, want one", f.File, f.District, ps)
			}
			continue
		}
		shared++
		byDistrict := map[string]string{}
		for _, p := range receiptsOf(f.Submission) {
			byDistrict[filepath.Base(filepath.Dir(p))] = p
		}
		read := 0
		for _, d := range []string{"临江区", "青山区"} {
			p := byDistrict[d]
			if p == "" {
				t.Errorf("%s: no receipt for %s in %v", f.File, d, receiptsOf(f.Submission))
				continue
			}
			facts := receiptFacts(t, p)
			if facts[receipt.LabelDistrict] != d {
				t.Errorf("%s: %s's receipt says 报送单位 %q", f.File, d, facts[receipt.LabelDistrict])
			}
			n, _ := strconv.Atoi(facts[receipt.LabelRead])
			read += n
			if n == 0 || n >= f.Read {
				t.Errorf("%s: %s's receipt counts %d rows read of the file's %d", f.File, d, n, f.Read)
			}
			text := etltest.PackageText(t, p)
			for _, c := range codes[other[d]] {
				if strings.Contains(text, c) {
					t.Errorf("%s: %s's receipt holds %s, a code of %s", f.File, d, c, other[d])
					break
				}
			}
			mine := 0
			for _, c := range codes[d] {
				if strings.Contains(text, c) {
					mine++
				}
			}
			if facts[receipt.LabelRejected] != "0" && mine == 0 {
				t.Errorf("%s: %s's receipt has rejected rows but its copy holds none of its codes", f.File, d)
			}
		}
		if p := byDistrict["unknown"]; p != "" {
			n, _ := strconv.Atoi(receiptFacts(t, p)[receipt.LabelRead])
			read += n
		}
		if read != f.Read {
			t.Errorf("%s: the receipts count %d rows read, the file %d", f.File, read, f.Read)
		}
	}
	if shared < 4 {
		t.Errorf("%d files of both districts, want the service records, evaluations and rooms (at least 4)", shared)
	}

	// A file of both districts with a row of a project not known yet: that
	// row is of no district, its receipt in unknown/. When 青山区 sends the
	// project, the row loads and the receipts are written again: 青山区's
	// now counts and shows it, unknown/'s is gone, 临江区's never shows it.
	os.WriteFile(filepath.Join(inbox, "zz_评估.csv"), []byte("年度,项目编号,评估阶段,服务设施得分,服务队伍得分,服务活动得分,建设经费得分,服务人次,满意率\n"+
		"2014,LJ2014-001,终期,45,18,18,18,3000,0.9\n2014,2014519903009,终期,30,18,18,18,3000,0.9\n2014,2014519903001,终期,30,18,18,18,3000,0.9\n"), 0o644)
	s = ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	// Its 临江区 row is rejected (a score of 45): the file is still
	// 临江区's too, its receipt 临江区's.
	if len(s.Files) != 1 || len(receiptsOf(s.Files[0].Submission)) != 3 {
		t.Fatalf("zz_评估.csv: %+v, receipts %v", s.Files, receiptsOf(s.Files[0].Submission))
	}
	sub := s.Files[0].Submission
	unknown := filepath.Join(receipts, "unknown", fmt.Sprintf("%d_zz_评估_回执.xlsx", sub))
	if f := receiptFacts(t, unknown); f[receipt.LabelRead] != "1" || !strings.Contains(etltest.PackageText(t, unknown), "2014519903009") {
		t.Errorf("the receipt of the row of no district: %v", f)
	}
	for _, d := range []string{"临江区", "青山区"} {
		if strings.Contains(etltest.PackageText(t, filepath.Join(receipts, d, fmt.Sprintf("%d_zz_评估_回执.xlsx", sub))), "2014519903009") {
			t.Errorf("%s's receipt shows the row of no district", d)
		}
	}
	// 青山区's project list again, with the missing project (the list of a
	// year replaces the district's earlier one).
	projects, err := os.ReadFile(filepath.Join(samplesDir, "inbox", "batch1", "05_青山区服务项目2013-2014.csv"))
	if err != nil {
		t.Fatal(err)
	}
	projects = append(projects, []byte("99,2014,2014519903009,青山区,百合社区党群服务中心运营项目,党群服务中心,青山致远社会工作服务社,52519903N49377156B,519903001001,2015-06-30,2014-07-01,50,18.5,22,9.5,13428825393,\n")...)
	os.WriteFile(filepath.Join(inbox, "zz_青山区服务项目.csv"), projects, 0o644)
	s = ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	if len(s.Released) == 0 {
		t.Fatalf("nothing released: %+v", s.Files)
	}
	qs := filepath.Join(receipts, "青山区", fmt.Sprintf("%d_zz_评估_回执.xlsx", sub))
	if f := receiptFacts(t, qs); f[receipt.LabelRead] != "2" || !strings.Contains(etltest.PackageText(t, qs), "2014519903009") {
		t.Errorf("青山区's receipt after the release: %v", f)
	}
	lj := filepath.Join(receipts, "临江区", fmt.Sprintf("%d_zz_评估_回执.xlsx", sub))
	if text := etltest.PackageText(t, lj); strings.Contains(text, "2014519903009") || strings.Contains(text, "2014519903001") {
		t.Error("临江区's receipt shows 青山区's rows after the release")
	}
	if _, err := os.Stat(unknown); err == nil {
		t.Error("the receipt of the rows of no district is still there after they found their district")
	}
}
