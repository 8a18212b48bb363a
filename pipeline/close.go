package pipeline

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"shequ/internal/say"
	"shequ/official"
	"shequ/official/deltareport"
	"shequ/reports/bundle"
	"shequ/warehouse"
)

// CloseOptions steer a close or a restatement of a year.
type CloseOptions struct {
	Year int
	// By signs the version; Note is the close's note or the
	// restatement's reason. Both are required (By not for a dry run).
	By, Note string
	// Restate makes the next version of a closed year from the working
	// figures, with its delta report.
	Restate bool
	// DryRun (with Restate) writes the delta report as a preview
	// (更正预览) and commits nothing.
	DryRun bool
}

// CloseResult is what a close or a restatement did.
type CloseResult struct {
	Version *official.Version // nil for a dry run
	Delta   *official.Delta   // a restatement's
	Files   []string          // written to the reports folder
}

// ErrNoNote says a close was asked for without saying what is closed.
var ErrNoNote error = say.New("note_missing", "须填写关账说明：--note \"…\"", "say what is closed: --note \"…\"")

// Close freezes a year (or, with Restate, makes its next version): the
// models are built with the policy in force and tested, the official
// reports are written for the new version with its sign-off, and then, in
// one transaction, the version is kept with the inputs that counted, the
// policy, every mart row of the year, the report files and the delta. The
// files are put in the reports folder after the commit; if the process
// dies before, the next report of the year puts them there.
func (p *Pipeline) Close(ctx context.Context, w *warehouse.Warehouse, o CloseOptions) (*CloseResult, error) {
	stage := "close"
	if o.Restate {
		stage = "restate"
	}
	o.By, o.Note = strings.TrimSpace(o.By), strings.TrimSpace(o.Note)
	switch {
	case o.Year < 2000 || o.Year > 2100:
		return nil, fmt.Errorf("%s: %d is not a year between 2000 and 2100", stage, o.Year)
	case o.By == "" && !o.DryRun:
		return nil, fmt.Errorf("%s: %w", stage, official.ErrNoBy)
	case o.Note == "" && o.Restate:
		return nil, fmt.Errorf("%s: %w", stage, official.ErrNoReason)
	case o.Note == "":
		return nil, fmt.Errorf("%s: %w", stage, ErrNoNote)
	case o.DryRun && !o.Restate:
		return nil, fmt.Errorf("%s: --dry-run is for a restatement", stage)
	}
	removeClosingLeftovers(w.Path)
	cur, err := official.Current(ctx, w.DB, o.Year)
	if err != nil {
		return nil, err
	}
	switch {
	case !o.Restate && cur != nil:
		return nil, say.New("year_closed",
			fmt.Sprintf("%d 年已关账（%s）：要更改其数据，请更正：shequ restate --year %d --by 姓名 --reason \"…\"", o.Year, cur.SignOff(), o.Year),
			fmt.Sprintf("%d is already closed (%s): to change its figures, restate it: shequ restate --year %d --by NAME --reason \"…\"", o.Year, cur.SignOff(), o.Year))
	case o.Restate && cur == nil:
		return nil, say.New("year_open",
			fmt.Sprintf("%d 年尚未关账，没有可更正的正式数据：关账请用 shequ close --year %d", o.Year, o.Year),
			fmt.Sprintf("%d is not closed: there is nothing to restate; close it with shequ close --year %d", o.Year, o.Year))
	}
	run, err := p.startRun(ctx, w, stage, nil)
	if err != nil {
		return nil, err
	}
	res, err := p.close(ctx, w, o, cur, run)
	if err != nil {
		return res, fail(ctx, w, run, err)
	}
	if err := finish(ctx, w, run); err != nil {
		return res, err
	}
	return res, nil
}

func (p *Pipeline) close(ctx context.Context, w *warehouse.Warehouse, o CloseOptions, cur *official.Version, run *warehouse.Run) (*CloseResult, error) {
	stage := run.Job
	if _, err := p.Build(ctx, w, BuildOptions{Parent: run}); err != nil {
		return nil, fmt.Errorf("build before closing: %w", err)
	}
	if _, err := p.Test(ctx, w, TestOptions{Parent: run}); err != nil {
		return nil, fmt.Errorf("a year is closed only when its data tests pass: %w", err)
	}
	years, err := bundle.Years(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	found := false
	for _, y := range years {
		found = found || y == o.Year
	}
	if !found {
		return nil, fmt.Errorf("no data for %d: the warehouse has %v; ingest its submissions first", o.Year, years)
	}
	pr, err := p.Project()
	if err != nil {
		return nil, err
	}
	prof, err := p.profile(ctx, w)
	if err != nil {
		return nil, err
	}
	set, err := p.ReportSet()
	if err != nil {
		return nil, err
	}
	res := &CloseResult{}
	version := 1
	at := time.Now().UTC().Truncate(time.Second)
	meta := deltareport.Meta{City: prof.City, Issuer: prof.Issuer(), By: o.By, At: at, Reason: o.Note, Headings: deltareport.Headings(set), Now: at}
	if o.Restate {
		version = cur.Version + 1
		if res.Delta, err = official.Diff(ctx, w.DB, pr, o.Year); err != nil {
			return nil, err
		}
		if len(res.Delta.Rows) == 0 {
			return nil, say.New("nothing_to_restate",
				fmt.Sprintf("%d 年的工作数据与其第 %d 版正式数据一致，无需更正", o.Year, cur.Version),
				fmt.Sprintf("the working figures of %d are those of its version %d: nothing to restate", o.Year, cur.Version))
		}
		if o.DryRun {
			meta.Preview = true
			files, err := deltareport.Write(filepath.Join(p.cfg.Out, fmt.Sprint(o.Year)), res.Delta, meta)
			if err != nil {
				return nil, err
			}
			res.Files = files
			moved, _ := res.Delta.MovedTotal()
			p.done(stage, fmt.Sprintf("✓ restate --dry-run: %d version %d → %d would change %d rows (%s); %s yuan move between districts; nothing committed; the delta is in %s",
				o.Year, cur.Version, version, len(res.Delta.Rows), countsLine(res.Delta), moved, strings.Join(files, ", ")), res)
			return res, nil
		}
	}

	// The official reports of the new version, with its sign-off, made
	// beside the warehouse and kept in the transaction.
	tmp, err := os.MkdirTemp(filepath.Dir(w.Path), filepath.Base(w.Path)+closingSuffix)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	signed := &official.Version{Year: o.Year, Version: version, By: o.By, At: at}
	opt := p.bundleOptions(prof, set)
	opt.Out, opt.Year, opt.NoExports, opt.Now = tmp, o.Year, true, at
	opt.SignOff, opt.Version = signed.SignOff(), version
	if !o.Restate {
		opt.SignOff += "；关账说明：" + o.Note
	} else {
		opt.SignOff += fmt.Sprintf("；更正第%d版，原因：%s", cur.Version, o.Note)
	}
	written, err := bundle.Write(ctx, w.DB, opt)
	if err != nil {
		return nil, fmt.Errorf("write the official reports: %w", err)
	}
	var files []official.File
	for _, rel := range written.Files {
		b, err := os.ReadFile(filepath.Join(tmp, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		files = append(files, official.File{Path: rel, Kind: "report", Data: b})
	}
	if o.Restate {
		dir := filepath.Join(tmp, fmt.Sprint(o.Year))
		paths, err := deltareport.Write(dir, res.Delta, meta)
		if err != nil {
			return nil, err
		}
		for _, full := range paths {
			b, err := os.ReadFile(full)
			if err != nil {
				return nil, err
			}
			files = append(files, official.File{Path: path.Join(fmt.Sprint(o.Year), filepath.Base(full)), Kind: "delta", Data: b})
		}
	}
	cs, err := official.PolicyChanges(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	kind := official.KindClose
	if o.Restate {
		kind = official.KindRestate
	}
	v, err := official.Commit(ctx, w.DB, pr, official.Freeze{
		Year: o.Year, Kind: kind, By: o.By, Note: o.Note, At: at, Version: version,
		PolicyVersion: official.PolicyVersion(cs), PolicyDigest: written.Stamp.PolicyDigest, BuildRunID: written.Stamp.RunID,
		Files: files, Delta: res.Delta,
		Progress: func(step string) { p.progress(stage, true, "%s  %d: %s", stage, o.Year, step) },
	})
	if err != nil {
		return nil, err
	}
	res.Version = v
	p.progress(stage, true, "%s  %d: version %d committed", stage, o.Year, v.Version)
	// Committed: the reports folder gets the official files, readers the
	// new version.
	lock, err := p.lockOut(stage)
	if err == nil {
		_, err = official.WriteFiles(p.cfg.Out, files)
		lock.Unlock()
	}
	if err != nil {
		p.warn(stage, "%[1]d 年第 %[2]d 版已保存，但其报表未能写入 %[3]s（shequ report --year %[1]d 可再写）\n  %[1]d version %[2]d is kept, but its reports could not be written to %[3]s: %[4]v (shequ report --year %[1]d writes them)", o.Year, v.Version, p.cfg.Out, err)
	}
	for _, f := range files {
		res.Files = append(res.Files, filepath.Join(p.cfg.Out, filepath.FromSlash(f.Path)))
	}
	if _, err := p.Publish(ctx, w); err != nil {
		p.warn(stage, "只读快照未能发布\n  publish the read-only snapshot: %v", err)
	}
	line := fmt.Sprintf("✓ %s: %d version %d signed by %s at %s: %d mart rows, %d inputs, policy version %d, fingerprint %s; %d official report files in %s",
		stage, o.Year, v.Version, v.By, v.At.In(official.Zone).Format("2006-01-02 15:04"), v.MartRows, v.Inputs, v.PolicyVersion, v.Fingerprint[:12],
		len(files), filepath.Join(p.cfg.Out, fmt.Sprint(o.Year)))
	if res.Delta != nil {
		moved, _ := res.Delta.MovedTotal()
		line += fmt.Sprintf("; %d rows changed (%s), %s yuan moved; version %d stays as it was", len(res.Delta.Rows), countsLine(res.Delta), moved, cur.Version)
	}
	p.done(stage, line, res)
	return res, nil
}

// closingSuffix names the folders a close writes its reports in before
// the commit; one a killed close left is removed by the next.
const closingSuffix = ".closing-"

func removeClosingLeftovers(warehousePath string) {
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(warehousePath), filepath.Base(warehousePath)+closingSuffix+"*"))
	for _, l := range left {
		os.RemoveAll(l)
	}
}

func countsLine(d *official.Delta) string {
	c := d.ChangeCounts()
	var parts []string
	marts := make([]string, 0, len(c))
	for m := range c {
		marts = append(marts, m)
	}
	sort.Strings(marts)
	for _, m := range marts {
		parts = append(parts, fmt.Sprintf("%s %d", m, c[m]))
	}
	return strings.Join(parts, ", ")
}

// SampleProfile is the profile of the sample city the demo runs on
// (samples/): its name, code, bureau and districts.
var SampleProfile = [][2]string{
	{official.KeyCity, DemoCity},
	{official.KeyCode, "519900"},
	{official.KeyBureau, "江州市民政局"},
	{"district.临江区", "519902"},
	{"district.青山区", "519903"},
}

// SetSampleCity sets the sample city's profile in the warehouse, as by
// who; keys already so are left alone.
func SetSampleCity(ctx context.Context, w *warehouse.Warehouse, by string) error {
	ss, err := official.Settings(ctx, w.DB)
	if err != nil {
		return err
	}
	have := map[string]string{}
	for _, s := range ss {
		have[s.Key] = s.Value
	}
	for _, kv := range SampleProfile {
		if have[kv[0]] == kv[1] {
			continue
		}
		if _, err := official.Set(ctx, w.DB, kv[0], kv[1], by, "示例城市（shequ demo 的样例数据）"); err != nil {
			return err
		}
	}
	return nil
}
