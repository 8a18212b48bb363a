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
