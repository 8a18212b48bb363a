package models

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"shequ/models/modelstest"
	"shequ/warehouse"
)

// replicate turns the sample city into copies of itself: every raw row is
// repeated copies−1 more times with its district, community and project
// codes suffixed by the copy number, so every copy is a distinct city
// with its own districts and keys.
func replicate(tb testing.TB, w *warehouse.Warehouse, copies int) {
	tb.Helper()
	ctx := context.Background()
	suffixed := map[string]bool{"district": true, "community_code": true, "project_code": true, "community_codes": true}
	for _, table := range modelstest.TruthKinds {
		rows, err := w.DB.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position`, table)
		if err != nil {
			tb.Fatal(err)
		}
		var exprs []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			if suffixed[c] {
				c = fmt.Sprintf("%s || '#' || CAST(k AS VARCHAR)", c)
			}
			exprs = append(exprs, c)
		}
		rows.Close()
		q := fmt.Sprintf("INSERT INTO raw.%s SELECT %s FROM raw.%s CROSS JOIN range(1, %d) AS copies(k)", table, strings.Join(exprs, ", "), table, copies)
		if _, err := w.DB.ExecContext(ctx, q); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := w.DB.ExecContext(ctx, "CHECKPOINT"); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkBuild builds every model on the sample city replicated 200
// times (16 200 roster rows, 284 400 activities) and reports the time of
// Build, serially and with its default concurrency, against running the
// same compiled statements directly on the same database: mean times, and
// the ratios of the fastest runs (serial/direct is the orchestration
// overhead; build/direct adds what concurrency gains).
//
//	go test ./models/ -run '^$' -bench Build -benchtime 5x
func BenchmarkBuild(b *testing.B) {
	ctx := context.Background()
	w := truthWarehouse(b)
	replicate(b, w, 200)
	p := embeddedProject(b)
	var plans []Materialization
	for _, m := range p.Models() {
		mz, err := Materialize(m)
		if err != nil {
			b.Fatal(err)
		}
		plans = append(plans, mz)
	}
	// Warm up: the first build creates every table.
	if _, err := p.Build(ctx, w.DB, BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	// Totals give the mean; the fastest run of each is the estimate least
	// disturbed by other work on the machine, and the ratios use it.
	var direct, built time.Duration
	fastest := map[string]time.Duration{}
	timed := func(name string, f func() error) time.Duration {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		if f, ok := fastest[name]; !ok || d < f {
			fastest[name] = d
		}
		return d
	}
	build := func() time.Duration {
		return timed("build", func() error {
			_, err := p.Build(ctx, w.DB, BuildOptions{})
			return err
		})
	}
	runDirectTimed := func() time.Duration {
		return timed("direct", func() error { return p.RunDirect(ctx, w.DB, plans) })
	}
	// Each iteration runs both, in an order that alternates so neither
	// always pays for the checkpoint the one before it left behind.
	runs := 0
	for b.Loop() {
		for k := 0; k < 2; k++ {
			if (runs+k)%2 == 0 {
				direct += runDirectTimed()
			} else {
				built += build()
			}
		}
		runs++
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(runs) / 1e6 }
	b.ReportMetric(ms(direct), "direct-ms")
	b.ReportMetric(ms(built), "build-ms")
	b.ReportMetric(float64(fastest["build"])/float64(fastest["direct"]), "build/direct")
}
