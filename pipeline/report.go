package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shequ/internal/files"
	"shequ/models"
	"shequ/reports/bundle"
	"shequ/warehouse"
)

// ReportOptions steer one report stage.
type ReportOptions struct {
	Parent *warehouse.Run
	// Year to report; 0: the latest year with data.
	Year int
	// District reports on one district only (the allocation stays city-wide).
	District string
	// Policy writes a trial (试算) under these alternative policy files, in
	// a temporary copy of the warehouse: the warehouse is not changed.
	Policy []string
}

// DemoCity is the sample city the demo runs on.
const DemoCity = "江州市"

// Report writes the reports and the exports and records the run. In a run
// (Parent set) a warehouse with no data yet skips the stage, recorded so.
func (p *Pipeline) Report(ctx context.Context, w *warehouse.Warehouse, o ReportOptions) (*bundle.Result, error) {
	start := time.Now()
	run, err := p.startRun(ctx, w, "report", o.Parent)
	if err != nil {
		return nil, err
	}
	// A build that did not finish (killed, failed) may have left the marts
	// half new and half old: no report is stamped with it.
	if b, ok, err := warehouse.LastBuild(ctx, w.DB); err != nil {
		return nil, fail(ctx, w, run, err)
	} else if ok && b.Status != warehouse.RunOK {
		return nil, fail(ctx, w, run, fmt.Errorf("the last build (run %d) is %s, so the marts may be half new and half old: run `shequ build` first "+
			"(最近一次构建（第 %d 次运行）未完成，报表数据可能新旧混杂，请先运行 shequ build)", b.ID, b.Status, b.ID))
	}
	city := p.cfg.City
	if city == "" && p.cfg.Trigger == TriggerDemo {
		city = DemoCity
	}
	set, err := p.ReportSet()
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	opt := bundle.Options{Out: p.cfg.Out, Year: o.Year, District: o.District, City: city, Reports: set}
	var res *bundle.Result
	if len(o.Policy) > 0 {
		res, err = p.trial(ctx, w, o.Policy, opt, run.ID)
	} else {
		res, err = bundle.Write(ctx, w.DB, opt)
	}
	if errors.Is(err, bundle.ErrNoData) && o.Parent != nil {
		// The nightly run of a warehouse that has received nothing yet.
		run.Status, run.Error = warehouse.RunSkipped, err.Error()
		if err := w.FinishRun(ctx, run); err != nil {
			return nil, err
		}
		p.note("report", "- report: skipped (%v)", err)
		return nil, nil
	}
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	run.Files = len(res.Files)
	if err := finish(ctx, w, run); err != nil {
		return res, err
	}
	p.done("report", fmt.Sprintf("✓ report: %s in %s", Describe(p.cfg.Out, res), time.Since(start).Round(time.Millisecond)), res)
	return res, nil
}

// Describe says what a report stage wrote, for its one-line summary.
func Describe(out string, res *bundle.Result) string {
	var human []string
	dir := ""
	for _, f := range res.Files {
		if strings.HasPrefix(f, bundle.ExportsDir+"/") {
			continue
		}
		dir = filepath.Dir(f)
		human = append(human, filepath.Base(f))
	}
	s := fmt.Sprintf("%d in %s (%s)", res.Year, filepath.Join(out, dir), strings.Join(human, ", "))
	if res.Manifest != nil {
		marts := map[string]bool{}
		for _, f := range res.Manifest.Files {
			marts[f.Mart] = true
		}
		n := fmt.Sprintf("%d files", len(res.Manifest.Files))
		if k := len(res.Manifest.Kept); k > 0 {
			n += fmt.Sprintf(", %d unchanged", k)
		}
		s += fmt.Sprintf("; %d marts as CSV and Parquet (%s) in %s", len(marts), n, filepath.Join(out, bundle.ExportsDir))
	}
	return s + fmt.Sprintf("; run %d, policy %s", res.Stamp.RunID, res.Stamp.PolicyDigest)
}

// trial writes the reports under an alternative policy: the warehouse is
// copied to a temporary folder, the copy is built with the policy files
// (its model runs recorded under the report's run id) and reported on,
// then removed. The warehouse itself is not changed.
func (p *Pipeline) trial(ctx context.Context, w *warehouse.Warehouse, policy []string, opt bundle.Options, runID int64) (*bundle.Result, error) {
	if err := w.Checkpoint(ctx); err != nil {
		return nil, fmt.Errorf("checkpoint the warehouse before copying it: %w", err)
	}
	tmp, err := os.MkdirTemp("", "shequ-trial-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	copyPath := filepath.Join(tmp, "trial.duckdb")
	if err := files.Copy(w.Path, copyPath); err != nil {
		return nil, fmt.Errorf("copy the warehouse for the trial: %w", err)
	}
	alt, err := warehouse.Open(ctx, copyPath, warehouse.Options{Command: "shequ report --policy"})
	if err != nil {
		return nil, err
	}
	defer alt.Close()
	pr, err := p.Project()
	if err != nil {
		return nil, err
	}
	res, err := pr.Build(ctx, alt.DB, models.BuildOptions{PolicyFiles: policy, RunID: runID})
	if err != nil {
		return nil, fmt.Errorf("build under the alternative policy: %w", err)
	}
	p.cfg.Log.Info("trial built", "summary", res.Summary())
	var names, stems []string
	for _, f := range policy {
		names = append(names, filepath.Base(f))
		stems = append(stems, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
	}
	opt.Trial = "备选政策：" + strings.Join(names, "、")
	opt.TrialName = strings.Join(stems, "+")
	return bundle.Write(ctx, alt.DB, opt)
}
