package receipt

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/etl"
	"shequ/etl/read"
	"shequ/etl/validate"
)

// benchLines is the size of the benchmark's service-record files: a
// district's quarter in a large city.
const benchLines = 20000

// benchFiles writes the same service records as a UTF-8 CSV and as an
// .xlsx, and the problems a validator would find in them: one rejected row
// in a hundred.
func benchFiles(b *testing.B) (csvPath, xlsxPath string, problems []Problem) {
	b.Helper()
	dir := b.TempDir()
	header := []string{"项目编号", "活动日期", "活动名称", "服务类别", "参与人次", "志愿者人次", "活动地点", "备注"}
	row := func(i int) []string {
		return []string{fmt.Sprintf("LJ2015-%03d", i%300), fmt.Sprintf("2015-%02d-%02d", 1+i%12, 1+i%28),
			"社区长者健康讲座第" + strconv.Itoa(i) + "期", "为老服务", strconv.Itoa(10 + i%50), strconv.Itoa(i % 7), "东晖社区活动室", ""}
	}
	var sb strings.Builder
	sb.WriteString(strings.Join(header, ",") + "\n")
	for i := 1; i <= benchLines; i++ {
		sb.WriteString(strings.Join(row(i), ",") + "\n")
	}
	csvPath = filepath.Join(dir, "records.csv")
	if err := os.WriteFile(csvPath, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i <= benchLines; i++ {
		cells := header
		if i > 0 {
			cells = row(i)
		}
		vals := make([]any, len(cells))
		for j, c := range cells {
			vals[j] = c
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+1), vals); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	xlsxPath = filepath.Join(dir, "records.xlsx")
	if err := f.SaveAs(xlsxPath); err != nil {
		b.Fatal(err)
	}
	for i := 100; i <= benchLines; i += 100 {
		problems = append(problems, Problem{Sheet: "Sheet1", Problem: validate.Problem{
			Row: i + 1, Column: "participants", Header: "参与人次", Letter: "E", Value: "abc",
			Severity: "error", Code: "not_a_number", Detail: "not a number"}})
	}
	return csvPath, xlsxPath, problems
}

// BenchmarkWrite writes the receipt of a 20 000-row file with 200 rejected
// rows, with its annotated copy, for each format.
func BenchmarkWrite(b *testing.B) {
	csvPath, xlsxPath, problems := benchFiles(b)
	info := Info{File: "2015Q1/东晖区/records", District: "东晖区", SHA256: strings.Repeat("ab", 32), Submission: 7,
		Status: Loaded, Kinds: []string{"activities"}, Read: benchLines, Loaded: benchLines - len(problems),
		Rejected: len(problems), ReceivedAt: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	for _, c := range []struct{ format, path string }{{"csv", csvPath}, {"xlsx", xlsxPath}} {
		b.Run(c.format, func(b *testing.B) {
			dst := filepath.Join(b.TempDir(), "回执.xlsx")
			for b.Loop() {
				if err := Write(dst, c.path, c.format, "utf-8", info, problems, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchLines)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkWriteClean writes the receipt of a 1 000-row file without
// problems (a district's file of a province, most of them clean): with its
// annotated copy, as Write does, and as the summary WriteSummary writes.
func BenchmarkWriteClean(b *testing.B) {
	const lines = 1000
	csvPath, xlsxPath, _ := benchFiles(b)
	info := Info{File: "2015Q1/东晖区/records", District: "东晖区", SHA256: strings.Repeat("ab", 32), Submission: 7,
		Status: Loaded, Kinds: []string{"activities"}, Read: benchLines, Loaded: benchLines,
		ReceivedAt: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	small := filepath.Join(b.TempDir(), "records.csv")
	data, err := os.ReadFile(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	cut := 0
	for n := 0; n <= lines && cut < len(data); cut++ {
		if data[cut] == '\n' {
			n++
		}
	}
	if err := os.WriteFile(small, data[:cut], 0o644); err != nil {
		b.Fatal(err)
	}
	_ = xlsxPath
	for _, c := range []struct {
		name  string
		write func(dst string) error
	}{
		{"copy", func(dst string) error { return Write(dst, small, "csv", "utf-8", info, nil, Limits{}) }},
		{"summary", func(dst string) error { return WriteSummary(dst, info) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			dst := filepath.Join(b.TempDir(), "回执.xlsx")
			for b.Loop() {
				if err := c.write(dst); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/receipt")
		})
	}
}

// BenchmarkWriteShared writes the receipts of the 20 000-row files shared
// by 100 districts (200 rows each, one district's rows in every hundred),
// each district with its rows' problems, and reports the time as a
// multiple of reading the file once (read.Open and every row): the file is
// read once for all of the districts' copies, so the multiple stays near
// what writing 100 small copies costs, whatever the file's size.
func BenchmarkWriteShared(b *testing.B) {
	const districts = 100
	csvPath, xlsxPath, problems := benchFiles(b)
	owner := func(sheet string, row int) int {
		if row == 1 {
			return Every
		}
		return row % districts
	}
	for _, c := range []struct{ format, path, sheet string }{{"csv", csvPath, ""}, {"xlsx", xlsxPath, "Sheet1"}} {
		b.Run(c.format, func(b *testing.B) {
			var parts []Part
			dir := b.TempDir()
			for d := 0; d < districts; d++ {
				info := Info{File: "2015年/全省/records", District: fmt.Sprintf("第%03d区", d), Submission: 7, Status: Loaded,
					Kinds: []string{"activities"}, Read: benchLines / districts, ReceivedAt: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
				var mine []Problem
				for _, p := range problems {
					if owner(c.sheet, p.Row) == d {
						p.Sheet = c.sheet
						mine = append(mine, p)
					}
				}
				info.Rejected = len(mine)
				info.Loaded = info.Read - info.Rejected
				if len(mine) == 0 {
					// Every district has a copy to write.
					info.Warned = 1
				}
				parts = append(parts, Part{Dst: filepath.Join(dir, info.District, "回执.xlsx"), Info: info, Problems: mine})
			}
			for i := range parts {
				for d := 0; d < districts; d++ {
					parts[i].Info.Districts = append(parts[i].Info.Districts, fmt.Sprintf("第%03d区", d))
				}
			}
			readOnce := func() {
				book, err := read.Open(c.path, etl.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				defer book.Close()
				for _, si := range book.Sheets() {
					rr, err := book.Rows(si.Name)
					if err != nil {
						b.Fatal(err)
					}
					for {
						if _, err := rr.Next(); err != nil {
							break
						}
					}
					rr.Close()
				}
			}
			start := time.Now()
			readOnce()
			base := time.Since(start)
			for b.Loop() {
				for i, err := range WriteShared(c.path, c.format, "", parts, owner, Limits{}) {
					if err != nil {
						b.Fatalf("%s: %v", parts[i].Info.District, err)
					}
				}
			}
			b.StopTimer()
			start = time.Now()
			readOnce()
			base = min(base, time.Since(start))
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(base), "reads")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/districts, "ms/receipt")
		})
	}
}
