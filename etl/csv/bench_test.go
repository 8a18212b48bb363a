package csv

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"shequ/etl"
)

const benchRows = 200000

// writeBenchCSV writes 200 000 records of an activity log (plus a header),
// with quoted fields holding commas and line breaks now and then, in UTF-8
// or GB18030.
func writeBenchCSV(b *testing.B, enc string) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), enc+".csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	var w io.Writer = f
	if enc == GB18030 {
		w = transform.NewWriter(f, simplifiedchinese.GB18030.NewEncoder())
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprint(bw, "项目编号,服务日期,服务细项编号,活动名称,服务人次,义工人次,服务地点,记录人\r\n")
	for i := 0; i < benchRows-1; i++ {
		name := "社区适应、融入和融合促进服务小组"
		if i%50 == 0 {
			name = "\"居民自助互助, 意识和能力\n培养活动\""
		}
		fmt.Fprintf(bw, "LJ2013-%03d,2013-%02d-%02d,%d.%d.%d,%s,%d,%d,社区活动室,李社工\r\n",
			i%100, 1+i%12, 1+i%28, 1+i%6, 1+i%4, 1+i%9, name, i%90, i%7)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	if c, ok := w.(io.Closer); ok {
		c.Close()
	}
	f.Close()
	fi, _ := os.Stat(path)
	return path, fi.Size()
}

// BenchmarkRead200k reads a 200 000-row CSV file from opening to the last
// row, in UTF-8 and in GB18030.
func BenchmarkRead200k(b *testing.B) {
	for _, enc := range []string{UTF8, GB18030} {
		b.Run(enc, func(b *testing.B) {
			path, size := writeBenchCSV(b, enc)
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				bk, err := Open(path, etl.DefaultLimits)
				if err != nil {
					b.Fatal(err)
				}
				if bk.Encoding() != enc {
					b.Fatalf("encoding %s", bk.Encoding())
				}
				rr, _ := bk.Rows("")
				n := 0
				for {
					_, err := rr.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				bk.Close()
				if n != benchRows {
					b.Fatalf("%d rows", n)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
