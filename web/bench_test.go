package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/internal/files"
	"shequ/pipeline"
	"shequ/warehouse"
)

// The benchmarks of issue 16, for BENCHMARKS.md:
//
//	go test ./web -run '^$' -bench . -benchtime 5x
//
// BenchmarkUploadReceipt: a district uploads a workbook of 10 000 service
// records through POST /api/submissions and gets its receipt; the same
// file is ingested into a copy of the warehouse the way `shequ ingest`
// does, in the same run. Reported: both times and their ratio.
//
// BenchmarkPagesDuringUpload: 20 clients on loopback read pages (the
// board, the portal, the history, a mart as JSON) while such an upload is
// ingested and the marts rebuilt; every answer must be 200. Reported: the
// 95th percentile and the slowest.

// activityWorkbook writes an .xlsx of n service records of a project of
// 临江区 in the sample, different for each seed.
func activityWorkbook(tb testing.TB, path string, n, seed int) {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	sw.SetRow("A1", []any{"项目编号", "服务日期", "服务细项编号", "活动名称", "服务人次", "义工人次"})
	for i := 0; i < n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		day := time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i+seed)%365)
		sw.SetRow(cell, []any{"LJ2013-001", day.Format("2006-01-02"), fmt.Sprintf("1.1.%d", 1+i%5), fmt.Sprintf("活动 %d-%d", seed, i), i % 90, i % 7})
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		tb.Fatal(err)
	}
}

// benchCity is a warehouse holding the sample's first batch, served by
// the web application, and a copy of it for the plain ingest.
func benchCity(b *testing.B) (*testEnv, *pipeline.Pipeline) {
	b.Helper()
	dir := b.TempDir()
	// The warehouse: the first batch ingested as `shequ ingest` would.
	env, err := newEnv(filepath.Join(dir, "app"))
	if err != nil {
		b.Fatal(err)
	}
	entries, _ := os.ReadDir(sampleBatch1)
	c := env.client(b)
	c.login("planner")
	for _, e := range entries {
		if err := files.Copy(filepath.Join(sampleBatch1, e.Name()), filepath.Join(env.dir, "inbox", "batch1", e.Name())); err != nil {
			b.Fatal(err)
		}
	}
	// One upload ingests the copied batch with it.
	c.uploadFile(filepath.Join(sampleBatch1, "01_临江区社区名册2013-2014.xlsx"))
	env.waitFresh(b)

	// The plain ingest's warehouse: the same state, copied while the
	// server waits.
	plain := filepath.Join(dir, "plain")
	err = env.srv.wr.do(context.Background(), "copy", false, func(ctx context.Context, w *warehouse.Warehouse) error {
		if err := w.Checkpoint(ctx); err != nil {
			return err
		}
		for _, name := range []string{"shequ.duckdb", "shequ.duckdb.key"} {
			if err := files.Copy(filepath.Join(env.dir, name), filepath.Join(plain, name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cfg := pipeline.Resolve(pipeline.Config{Warehouse: filepath.Join(plain, "shequ.duckdb"), Inbox: filepath.Join(plain, "inbox"), Out: filepath.Join(plain, "out")},
		func(string) string { return "" })
	return env, pipeline.New(cfg)
}

func BenchmarkUploadReceipt(b *testing.B) {
	env, plain := benchCity(b)
	defer env.close()
	c := env.client(b)
	c.login("lj")
	ctx := context.Background()
	pw, err := plain.Open(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer pw.Close()
	var up, ing, show time.Duration
	work := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		file := filepath.Join(work, fmt.Sprintf("服务记录%d.xlsx", i))
		activityWorkbook(b, file, 10000, i)
		content, _ := os.ReadFile(file)
		env.waitFresh(b)

		// The plain ingest of the same file: the ingest stage alone, and
		// what `shequ ingest` does (ingest, the three marts, publish).
		inbox := filepath.Join(plain.Config().Inbox, fmt.Sprintf("run%d", i))
		os.MkdirAll(inbox, 0o755)
		os.WriteFile(filepath.Join(inbox, "a.xlsx"), content, 0o644)
		start := time.Now()
		s, err := plain.Ingest(ctx, pw, pipeline.IngestOptions{})
		if err != nil || s.Rows != 10000 {
			b.Fatalf("plain ingest: %v (%+v)", err, s)
		}
		ing += time.Since(start)
		os.WriteFile(filepath.Join(inbox, "b.xlsx"), append(content[:len(content):len(content)], ' '), 0o644) // another file, as big
		start = time.Now()
		if _, err := plain.IngestAndShow(ctx, pw); err != nil {
			b.Fatal(err)
		}
		show += time.Since(start)

		b.StartTimer()
		start = time.Now()
		resp, body := c.upload(fmt.Sprintf("服务记录%d.xlsx", i), bytes.NewReader(content))
		up += time.Since(start)
		b.StopTimer()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"rows_loaded":10000`)) {
			b.Fatalf("upload: %s %.300s", resp.Status, body)
		}
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(up.Seconds()/n*1000, "ms/upload-to-receipt")
	b.ReportMetric(ing.Seconds()/n*1000, "ms/plain-ingest")
	b.ReportMetric(show.Seconds()/n*1000, "ms/shequ-ingest")
	b.ReportMetric(up.Seconds()/ing.Seconds(), "x-ingest")
	b.ReportMetric(up.Seconds()/show.Seconds(), "x-shequ-ingest")
}

func BenchmarkPagesDuringUpload(b *testing.B) {
	env, _ := benchCity(b)
	defer env.close()
	uploader := env.client(b)
	uploader.login("lj")
	const clients = 20
	readers := make([]*client, clients)
	for i := range readers {
		readers[i] = env.client(b)
		if i%2 == 0 {
			readers[i].login("planner")
		} else {
			readers[i].login("lj")
		}
	}
	pages := map[bool][]string{
		true:  {"/board?year=2013", "/submissions", "/api/marts/coverage?year=2013", "/portal"},
		false: {"/portal", "/submissions", "/api/marts/fund_use?year=2013", "/api/submissions"},
	}
	work := b.TempDir()
	var all []time.Duration
	errs := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		file := filepath.Join(work, fmt.Sprintf("x%d.xlsx", i))
		activityWorkbook(b, file, 10000, 1000+i)
		content, _ := os.ReadFile(file)
		env.waitFresh(b)
		b.StartTimer()
		done := make(chan struct{})
		var mu sync.Mutex
		var wg sync.WaitGroup
		for k, r := range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				list := pages[k%2 == 0]
				for j := 0; ; j++ {
					select {
					case <-done:
						if j >= 5 {
							return
						}
					default:
					}
					if j > 2000 {
						return
					}
					req, _ := http.NewRequest(http.MethodGet, env.ts.URL+list[j%len(list)], nil)
					req.Header.Set("X-Forwarded-For", r.addr)
					start := time.Now()
					resp, err := r.hc.Do(req)
					d := time.Since(start)
					ok := err == nil && resp.StatusCode == http.StatusOK
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
					mu.Lock()
					all = append(all, d)
					if !ok {
						errs++
					}
					mu.Unlock()
				}
			}()
		}
		resp, body := uploader.upload(fmt.Sprintf("x%d.xlsx", i), bytes.NewReader(content))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("upload: %s %.300s", resp.Status, body)
		}
		env.waitFresh(b) // the rebuild after it too
		close(done)
		wg.Wait()
	}
	b.StopTimer()
	if errs > 0 {
		b.Fatalf("%d of %d page reads failed during the upload", errs, len(all))
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	p := func(q float64) float64 { return all[int(q*float64(len(all)-1))].Seconds() * 1000 }
	b.ReportMetric(p(0.50), "ms-p50")
	b.ReportMetric(p(0.95), "ms-p95")
	b.ReportMetric(slices.Max(all).Seconds()*1000, "ms-max")
	b.ReportMetric(float64(len(all))/float64(b.N), "reads/op")
}
