package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shequ/internal/atomic"
	"shequ/internal/files"
	"shequ/internal/say"
	"shequ/models"
	"shequ/official"
	"shequ/reports"
	"shequ/reports/bundle"
	"shequ/reports/export"
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

// DemoCity is the sample city the demo runs on: its name and districts
// are set in the demo's warehouse (shequ demo).
const DemoCity = "江州市"

// Report writes the reports and the exports and records the run. In a run
// (Parent set) a warehouse with no data yet skips the stage, recorded so.
//
// The city's name, the issuing bureau and the policy documents' 文号 and
// titles come from the warehouse's settings. A closed year's reports are
// its official version's files, byte for byte, and the exports show the
// closed years' official figures; only a trial (Policy) computes a closed
// year anew, labelled 试算.
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
		return nil, fail(ctx, w, run, say.New("build_unfinished",
			fmt.Sprintf("最近一次构建（第 %d 次运行）未完成（%s），报表数据可能新旧混杂：请先运行 shequ build", b.ID, b.Status),
			fmt.Sprintf("the last build (run %d) is %s, so the marts may be half new and half old: run `shequ build` first", b.ID, b.Status)))
	}
	// One writer of the reports folder at a time (a nightly run, a
	// reader's report from the snapshot, a close).
	lock, err := p.lockOut("report")
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	defer lock.Unlock()
	// What an earlier report killed midway left (with the lock held, no
	// writer of the folder is alive) goes, for every year.
	atomic.CleanTree(p.cfg.Out)
	prof, err := p.profile(ctx, w)
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	set, err := p.ReportSet()
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	opt := p.bundleOptions(prof, set)
	opt.Year, opt.District = o.Year, o.District
	if !w.ReadOnly() {
		removeClosingLeftovers(w.Path)
		if err := official.RefreshViews(ctx, w.DB); err != nil {
			return nil, fail(ctx, w, run, fmt.Errorf("the official views: %w", err))
		}
	}
	if from, err := official.Source(ctx, w.DB); err == nil {
		opt.ExportFrom = from
	}
	var res *bundle.Result
	if len(o.Policy) > 0 {
		res, err = p.trial(ctx, w, o.Policy, opt, run.ID)
	} else {
		// A run reports every year with new data since the last run's
		// report; a report asked for reports one year, the latest by
		// default.
		var years []int
		switch {
		case o.Year != 0:
			years = []int{o.Year}
		case o.Parent != nil && o.District == "":
			years, err = yearsWithNewData(ctx, w, run.ID)
		default:
			var y int
			y, err = bundle.LatestYear(ctx, w.DB)
			years = []int{y}
		}
		for i := 0; err == nil && i < len(years); i++ {
			year, last := years[i], i == len(years)-1
			var v *official.Version
			if v, err = official.Current(ctx, w.DB, year); err != nil {
				break
			}
			var line string
			if v != nil {
				// A closed year's reports are its official files; the
				// exports are written once, with the last year.
				if res, err = p.serveClosed(ctx, w, v, o, set, opt, last); err != nil {
					break
				}
				dir := filepath.Join(p.cfg.Out, fmt.Sprint(year))
				line = both(fmt.Sprintf("✓ 报表：%d 年已关账，其正式报表（%s）在 %s", year, v.SignOff(), dir),
					fmt.Sprintf("report: %d is closed: its official reports (%s) in %s", year, v.SignOff(), dir))
				if res.Manifest != nil {
					line += "; " + describeExports(p.cfg.Out, res)
				}
			} else {
				yo := opt
				yo.Year, yo.NoExports = year, !last
				if res, err = bundle.Write(ctx, w.DB, yo); err != nil {
					break
				}
				line = reportLine(p.cfg.Out, res, time.Since(start))
			}
			run.Files += len(res.Files)
			if last {
				if err := finish(ctx, w, run); err != nil {
					return res, err
				}
				p.done("report", line, res)
			} else {
				p.note("report", "%s", line)
			}
			if v != nil {
				p.noteWorking(ctx, w, year, v)
			}
		}
		if err == nil {
			return res, nil
		}
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
	p.done("report", reportLine(p.cfg.Out, res, time.Since(start)), res)
	return res, nil
}

// lockOut waits until no other process writes the reports folder, and
// says so when it has to wait.
func (p *Pipeline) lockOut(stage string) (*atomic.DirLock, error) {
	return atomic.LockDir(p.cfg.Out, func() {
		p.note(stage, "- waiting for another shequ writing %s (另一个 shequ 正在写入报表目录，等待中)", p.cfg.Out)
	})
}

// yearsWithNewData lists the years (of those the warehouse has current rows
// of) that received rows since the last report a run wrote (its report
// step, run before this one, report): rows of a submission ingested after
// it, and rows released then from waiting. Before any run has reported,
// every year is new. None new (a run for a changed policy or models) gives
// the latest year.
func yearsWithNewData(ctx context.Context, w *warehouse.Warehouse, report int64) ([]int, error) {
	all, err := bundle.Years(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, bundle.ErrNoData
	}
	rows, err := w.DB.QueryContext(ctx, `WITH last AS (
			SELECT max(run_id) AS id FROM ops.runs
			WHERE step = 'report' AND parent_run_id IS NOT NULL AND status = 'ok' AND run_id < ?),
		fresh AS (
			SELECT s.submission_id FROM raw.submissions s, last
			WHERE last.id IS NULL OR s.run_id > last.id)
		SELECT DISTINCT year FROM intermediate.source_rows WHERE submission_id IN (SELECT submission_id FROM fresh)
		UNION
		SELECT DISTINCT year FROM raw.orphans WHERE released_by IN (SELECT submission_id FROM fresh)`, report)
	if err != nil {
		return nil, fmt.Errorf("find the years with new data: %w", err)
	}
	defer rows.Close()
	fresh := map[int]bool{}
	for rows.Next() {
		var y sql.NullInt64
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		if y.Valid {
			fresh[int(y.Int64)] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var years []int
	for _, y := range all {
		if fresh[y] {
			years = append(years, y)
		}
	}
	if len(years) == 0 {
		years = all[len(all)-1:]
	}
	return years, nil
}

// profile reads the city's profile from the warehouse. The city's name is
// a setting: a name given in the configuration ($SHEQU_CITY) stands in
// only while the warehouse has none, and says so.
func (p *Pipeline) profile(ctx context.Context, w *warehouse.Warehouse) (*official.Profile, error) {
	prof, err := official.LoadProfile(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	switch {
	case prof.City == "" && p.cfg.City != "":
		prof.City = p.cfg.City
		p.warn("report", "城市名称取自 $%[1]s（%[2]s），因为数据仓库中没有设置；请用 shequ settings set %[3]s %[4]s --by 姓名 --reason \"…\" 保存\n  the city's name comes from $%[1]s (%[2]s) because the warehouse has none: keep it there with shequ settings set %[3]s %[4]s --by NAME --reason \"…\"",
			Env.City, p.cfg.City, official.KeyCity, ShellQuote(p.cfg.City))
	case prof.City == "":
		p.warn("report", "城市名称未设置，报表标题中没有城市名：请用 shequ settings set %[1]s 城市名 --by 姓名 --reason \"…\" 设置\n  the city's name is not set: the reports' titles have no city; set it with shequ settings set %[1]s NAME --by NAME --reason \"…\"", official.KeyCity)
	case p.cfg.City != "" && p.cfg.City != prof.City:
		p.warn("report", "未使用 $%[1]s（%[2]s）：数据仓库中的城市是 %[3]s（shequ settings show）\n  $%[1]s (%[2]s) is not used: the warehouse's city is %[3]s (shequ settings show)", Env.City, p.cfg.City, prof.City)
	}
	return prof, nil
}

// bundleOptions are the options of every report of the profile.
func (p *Pipeline) bundleOptions(prof *official.Profile, set *reports.Set) bundle.Options {
	return bundle.Options{Out: p.cfg.Out, City: prof.City, Reports: set, Issuer: prof.Issuer(), Cite: prof.Cite}
}

// serveClosed writes the official reports of a closed year (its current
// version's files, byte for byte: a file already so is left alone) and
// the exports, whose closed years show their official figures.
func (p *Pipeline) serveClosed(ctx context.Context, w *warehouse.Warehouse, v *official.Version, o ReportOptions, set *reports.Set, opt bundle.Options, exports bool) (*bundle.Result, error) {
	if o.District != "" {
		return nil, say.New("year_closed",
			fmt.Sprintf("%d 年已关账（第 %d 版），正式报告为全市报告；%s 的工作数据见 marts.*（shequ sql）与 official.*", v.Year, v.Version, o.District),
			fmt.Sprintf("%d is closed (version %d): its official reports are city-wide; the working figures of %s are in marts.* (shequ sql) and official.*", v.Year, v.Version, o.District))
	}
	files, err := official.Files(ctx, w.DB, v.Year, v.Version)
	if err != nil {
		return nil, err
	}
	n, err := official.WriteFiles(p.cfg.Out, files)
	if err != nil {
		return nil, err
	}
	p.cfg.Log.Info("official reports served", "year", v.Year, "version", v.Version, "files", len(files), "rewritten", n)
	stamp, err := reports.ReadStamp(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	res := &bundle.Result{Year: v.Year, Stamp: stamp}
	for _, f := range files {
		res.Files = append(res.Files, f.Path)
	}
	if !exports {
		return res, nil
	}
	m, err := export.Write(ctx, w.DB, export.Options{Dir: filepath.Join(p.cfg.Out, bundle.ExportsDir), Queries: set, Stamp: stamp, From: opt.ExportFrom})
	if err != nil {
		return nil, err
	}
	res.Manifest = m
	for _, f := range m.Files {
		res.Files = append(res.Files, bundle.ExportsDir+"/"+f.File)
	}
	return res, nil
}

// noteWorking says when the working figures of a closed year differ from
// its official version: new or corrected submissions arrived after it was
// closed.
func (p *Pipeline) noteWorking(ctx context.Context, w *warehouse.Warehouse, year int, v *official.Version) {
	pr, err := p.Project()
	if err != nil {
		return
	}
	d, err := official.Diff(ctx, w.DB, pr, year)
	if err != nil || len(d.Rows) == 0 {
		return
	}
	p.note("report", "  %d has %d new or corrected submissions since version %d: %d rows of its working figures (marts.*) differ from the official ones, which stay as signed; see the delta with shequ restate --year %d --dry-run --reason \"…\"",
		year, len(d.NewSubmissions), v.Version, len(d.Rows), year)
}

// describeExports sums up the exports of a report stage.
func describeExports(out string, res *bundle.Result) string {
	if res.Manifest == nil {
		return "no exports"
	}
	marts := map[string]bool{}
	for _, f := range res.Manifest.Files {
		marts[f.Mart] = true
	}
	n := fmt.Sprintf("%d files", len(res.Manifest.Files))
	if k := len(res.Manifest.Kept); k > 0 {
		n += fmt.Sprintf(", %d unchanged", k)
	}
	return fmt.Sprintf("%d marts as CSV and Parquet (%s), closed years as closed, in %s", len(marts), n, filepath.Join(out, bundle.ExportsDir))
}

// reportLine is the summary of a report stage, Chinese first.
func reportLine(out string, res *bundle.Result, took time.Duration) string {
	took = took.Round(time.Millisecond)
	human, dir := reportFiles(res)
	zh := fmt.Sprintf("✓ 报表：%d 年的 %d 个报表文件已写入 %s", res.Year, len(human), filepath.Join(out, dir))
	if m := res.Manifest; m != nil {
		zh += fmt.Sprintf("；数据导出 %d 个文件（CSV 与 Parquet）在 %s", len(m.Files), filepath.Join(out, bundle.ExportsDir))
	}
	zh += fmt.Sprintf("；运行 #%d，政策版本 %s，用时 %s", res.Stamp.RunID, res.Stamp.PolicyDigest, took)
	return both(zh, fmt.Sprintf("report: %s in %s", Describe(out, res), took))
}

// reportFiles are the names of the report files a stage wrote (not the
// exports) and the folder they are in, relative to the output folder.
func reportFiles(res *bundle.Result) (names []string, dir string) {
	for _, f := range res.Files {
		if !strings.HasPrefix(f, bundle.ExportsDir+"/") {
			dir = filepath.Dir(f)
			names = append(names, filepath.Base(f))
		}
	}
	return names, dir
}

// Describe says what a report stage wrote, for its one-line summary.
func Describe(out string, res *bundle.Result) string {
	human, dir := reportFiles(res)
	s := fmt.Sprintf("%d in %s (%s)", res.Year, filepath.Join(out, dir), strings.Join(human, ", "))
	if res.Manifest != nil {
		s += "; " + strings.Replace(describeExports(out, res), ", closed years as closed", "", 1)
	}
	return s + fmt.Sprintf("; run %d, policy %s", res.Stamp.RunID, res.Stamp.PolicyDigest)
}

// trial writes the reports under an alternative policy: the warehouse is
// copied to a temporary folder, the copy is built with the policy in force
// and the trial's files on top (its model runs recorded under the report's
// run id) and reported on, then removed. The warehouse itself is not
// changed.
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
	// The trial's files go on top of the policy in force.
	overrides, _, err := official.StoredOverrides(ctx, alt.DB)
	if err != nil {
		return nil, err
	}
	for _, f := range policy {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("policy trial: %w", err)
		}
		overrides = append(overrides, models.Override{Name: filepath.ToSlash(f), Data: data})
	}
	res, err := pr.Build(ctx, alt.DB, models.BuildOptions{Overrides: overrides, RunID: runID})
	if res != nil {
		if err := official.MarkOrigins(ctx, alt.DB); err != nil {
			return nil, err
		}
	}
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
