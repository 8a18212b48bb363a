// Package webtest makes the sample city the web application's tests read
// (web and web/e2e): the warehouse `shequ demo` makes — the sample's
// first batch ingested, then the second batch run through the whole
// pipeline — with the test's accounts, and a year closed when asked, so
// that the pages have official, working and closed figures to show.
package webtest

import (
	"context"
	"fmt"
	"path/filepath"

	"shequ/pipeline"
	"shequ/samples"
	"shequ/warehouse"
	"shequ/web/account"
)

// Account is an account of the test with its password.
type Account struct {
	account.User
	Password string
}

// SampleCity makes the sample city in dir with the accounts, closes
// closeYear (none when 0) as 张三 would, and returns the pipeline's
// configuration for it.
func SampleCity(ctx context.Context, dir string, accounts []Account, closeYear int) (pipeline.Config, error) {
	wpath := filepath.Join(dir, "shequ.duckdb")
	cfg := pipeline.Resolve(pipeline.Config{Warehouse: wpath, Inbox: filepath.Join(dir, "inbox"), Out: filepath.Join(dir, "out"), City: pipeline.DemoCity},
		func(string) string { return "" })
	cfg.Receipts = warehouse.FilesOf(wpath).Receipts
	p := pipeline.New(cfg)
	if _, err := samples.CopyBatch("batch1", cfg.Inbox); err != nil {
		return cfg, err
	}
	w, err := p.Open(ctx, "webtest")
	if err != nil {
		return cfg, err
	}
	err = pipeline.SetSampleCity(ctx, w, "webtest")
	if err == nil {
		_, err = p.Ingest(ctx, w, pipeline.IngestOptions{})
	}
	for _, a := range accounts {
		if err == nil {
			err = account.Store{DB: w.DB}.Add(ctx, a.User, a.Password, false)
		}
	}
	w.Close()
	if err != nil {
		return cfg, fmt.Errorf("sample city, batch1: %w", err)
	}
	if _, err := samples.CopyBatch("batch2", cfg.Inbox); err != nil {
		return cfg, err
	}
	if _, err := p.Run(ctx, "webtest"); err != nil {
		return cfg, fmt.Errorf("sample city, batch2: %w", err)
	}
	if closeYear != 0 {
		w, err := p.Open(ctx, "webtest")
		if err != nil {
			return cfg, err
		}
		_, err = p.Close(ctx, w, pipeline.CloseOptions{Year: closeYear, By: "张三", Note: fmt.Sprintf("%d年度数据经局务会审定", closeYear)})
		w.Close()
		if err != nil {
			return cfg, fmt.Errorf("close %d: %w", closeYear, err)
		}
	}
	return cfg, nil
}
