package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"shequ/pipeline"
	"shequ/samples"
	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "demo",
		summary: "run the whole pipeline on the embedded sample city (江州市), offline",
		usage: `Usage: shequ demo [--dir DIR]

Copies the sample submissions built into shequ (two districts, 2013–2014:
the first batch of files, then a second batch with a correction, a
duplicate and new quarters) into DIR, and runs the whole pipeline there:
ingest batch1, ingest batch2, build, test, report. Needs no network.
DIR is replaced if an earlier demo made it.

Example:
  shequ demo && shequ sql --warehouse shequ-demo/shequ.duckdb -c "FROM marts.coverage"`,
		run: runDemo,
	})
}

const demoMarker = ".shequ-demo"

func runDemo(ctx context.Context, e *env, args []string) error {
	var dir string
	fset, err := e.parse(lookup("demo"), args, 0, func(fs *flag.FlagSet) {
		fs.StringVar(&dir, "dir", "shequ-demo", "where to put the demo's inbox, warehouse and reports")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fset); err != nil {
		return err
	}
	if err := freshDemoDir(dir); err != nil {
		return err
	}
	e.cfg.Warehouse = filepath.Join(dir, "shequ.duckdb")
	e.cfg.Inbox = filepath.Join(dir, "inbox")
	e.cfg.Out = filepath.Join(dir, "out")
	e.cfg.Receipts = warehouse.FilesOf(e.cfg.Warehouse).Receipts
	e.cfg.Trigger = pipeline.TriggerDemo
	p := e.pipe()
	// The files arrive in two batches, as they did in the sample city.
	for i, batch := range []string{"batch1", "batch2"} {
		if _, err := samples.CopyBatch(batch, e.cfg.Inbox); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "— 第%s批报送文件到达 (%s arrives)\n", []string{"一", "二"}[i], batch)
		if i == 0 {
			w, err := p.Open(ctx, "shequ demo")
			if err != nil {
				return err
			}
			// The sample city's profile: its name, bureau and districts.
			if err := pipeline.SetSampleCity(ctx, w, "shequ demo"); err != nil {
				w.Close()
				return err
			}
			_, err = p.Ingest(ctx, w, pipeline.IngestOptions{})
			w.Close()
			if err != nil {
				return err
			}
			continue
		}
		if _, err := p.Run(ctx, "shequ demo"); err != nil {
			return err
		}
	}
	q := func(s string) string { return pipeline.ShellQuote(s) }
	prog := e.cfg.Program
	fmt.Fprintf(e.stdout, `
演示数据仓库是 %[1]s，报表在 %[2]s。
The demo warehouse is %[1]s and the reports are in %[2]s.
查询 (query it):
  %[5]s sql --warehouse %[6]s -c %[7]s
  %[5]s sql --warehouse %[6]s -c %[8]s
或用任何 DuckDB 客户端打开只读快照 (or open its read-only snapshot from any DuckDB client):
  duckdb -readonly %[3]s
用演示账号打开网页应用“社区服务数据报送系统” (open the web application with the demo's accounts):
  %[5]s serve --warehouse %[6]s --inbox %[4]s --demo-accounts
它会列出账号 planner、admin、analyst 和各区账号（临江区、青山区）及新密码，
然后在浏览器中打开 http://127.0.0.1:8765/
(it prints the accounts planner, admin, analyst and one per district with
new passwords; then open http://127.0.0.1:8765/ in a browser.)
`, e.cfg.Warehouse, e.cfg.Out, warehouse.FilesOf(e.cfg.Warehouse).Snapshot, q(e.cfg.Inbox), prog, q(e.cfg.Warehouse),
		q("SELECT * FROM marts.coverage ORDER BY year, district, urban_rural"),
		q(`SELECT file, "row", "column", code, message_zh FROM marts.rejects`))
	return nil
}

// freshDemoDir empties dir if an earlier demo made it, and refuses to
// touch a directory that holds anything else.
func freshDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("%s exists and was not made by shequ demo: choose another --dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by shequ demo; removed by the next one\n"), 0o644)
}
