package pipeline

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shequ/models/modelstest"
	"shequ/samples"
	"shequ/schedules"
	"shequ/schedules/scheduler"
	"shequ/warehouse"
)

// sampleCity runs the pipeline on the sample city in a temporary folder:
// batch1 ingested alone, then batch2 and the whole run, as the demo does.
func sampleCity(t *testing.T) (*Pipeline, []Event) {
	t.Helper()
	dir := t.TempDir()
	var events []Event
	c := Resolve(Config{
		Warehouse: filepath.Join(dir, "shequ.duckdb"), Inbox: filepath.Join(dir, "inbox"), Out: filepath.Join(dir, "out"),
		Trigger: TriggerDemo, OnEvent: func(ev Event) { events = append(events, ev) },
	}, func(string) string { return "" })
	p := New(c)
	ctx := context.Background()
	if _, err := samples.CopyBatch("batch1", c.Inbox); err != nil {
		t.Fatal(err)
	}
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.IngestAndShow(ctx, w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := samples.CopyBatch("batch2", c.Inbox); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	return p, events
}

// TestRunSampleCity runs the whole pipeline in-process and compares every
// policy mart with samples/expected; the stages told what they did.
func TestRunSampleCity(t *testing.T) {
	p, events := sampleCity(t)
	ctx := context.Background()
	r, _, err := warehouse.OpenReader(ctx, p.Config().Warehouse, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	diffs, err := modelstest.CompareExpected(ctx, r.DB, samples.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	var done []string
	for _, ev := range events {
		if ev.Kind == Done {
			done = append(done, ev.Stage)
		}
	}
	// batch1: ingest, build of the ingest marts with its snapshot; then
	// the run: ingest, build, test, report, the run, its snapshot.
	want := "ingest publish build ingest build test report run publish"
	if got := strings.Join(done, " "); got != want {
		t.Errorf("stages done: %s\nwant         %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(p.Config().Out, "2014", "市级奖励资金分配表_2014.xlsx")); err != nil {
		t.Errorf("the run wrote no allocation table: %v", err)
	}
}

// TestScheduledJob runs the shipped nightly job through the scheduler,
// in-process (no binary): a build and a test recorded as steps of the
// job's run under the job's name.
func TestScheduledJob(t *testing.T) {
	p, _ := sampleCity(t)
	ctx := context.Background()
	defs, err := schedules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheduler.New(defs, scheduler.Options{Warehouse: p.Config().Warehouse, Command: "test", Runner: p.Runner()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := s.RunNow("nightly", scheduler.TriggerManual)
	if err != nil || out.Status != warehouse.RunOK {
		t.Fatalf("nightly: %+v, %v", out, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.DB.Query(`SELECT job || '/' || step || '/' || status || '/' || trigger FROM ops.runs WHERE parent_run_id = ? ORDER BY run_id`, out.RunID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	if want := "nightly/build/ok/manual nightly/test/ok/manual"; strings.Join(got, " ") != want {
		t.Errorf("steps of the job: %q, want %q", strings.Join(got, " "), want)
	}
}

// TestReportRefusesAnUnfinishedBuild: a build left running by a dead
// process is recorded as interrupted when the next writer opens the
// warehouse, and no report is stamped with a build that did not finish.
func TestReportRefusesAnUnfinishedBuild(t *testing.T) {
	p, _ := sampleCity(t)
	ctx := context.Background()
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	dead := &warehouse.Run{Job: "build", Trigger: TriggerManual}
	if err := w.StartRun(ctx, dead); err != nil {
		t.Fatal(err)
	}
	// As if its process were killed: the run stays "running", and no
	// process has its id.
	if _, err := w.DB.Exec(`UPDATE ops.runs SET pid = 2147483646 WHERE run_id = ?`, dead.ID); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if w, err = p.Open(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var status string
	if err := w.DB.QueryRow(`SELECT status FROM ops.runs WHERE run_id = ?`, dead.ID).Scan(&status); err != nil || status != warehouse.RunInterrupted {
		t.Fatalf("the dead build's run is %q (%v), want interrupted", status, err)
	}
	_, err = p.Report(ctx, w, ReportOptions{})
	if err == nil || !strings.Contains(err.Error(), "shequ build") || !strings.Contains(err.Error(), "构建") {
		t.Fatalf("report after an unfinished build: %v, want a refusal saying to build first", err)
	}
	if _, err := p.Build(ctx, w, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Report(ctx, w, ReportOptions{}); err != nil {
		t.Errorf("report after a finished build: %v", err)
	}
}

// TestEvaluationVolunteers follows a column added by the README's steps
// (义工人次 of the evaluations) from a district's file to its mart.
func TestEvaluationVolunteers(t *testing.T) {
	p, _ := newCity(t)
	c := p.Config()
	ctx := context.Background()
	if _, err := samples.CopyBatch("batch1", c.Inbox); err != nil {
		t.Fatal(err)
	}
	eval := "年度,项目编号,评估阶段,服务设施得分,服务队伍得分,服务活动得分,建设经费得分,服务人次,满意率,义工人次\n" +
		"2013,2013519903001,年度,35,18,18,18,3000,0.9,420\n"
	if err := os.WriteFile(filepath.Join(c.Inbox, "义工人次.csv"), []byte(eval), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := p.Ingest(ctx, w, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Build(ctx, w, BuildOptions{Select: "+marts.evaluation_scores"}); err != nil {
		t.Fatal(err)
	}
	var n sql.NullInt64
	if err := w.DB.QueryRow(`SELECT volunteer_times FROM marts.evaluation_scores WHERE year = 2013 AND project_code = '2013519903001' AND stage = 'annual'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if !n.Valid || n.Int64 != 420 {
		t.Errorf("volunteer_times = %v, want 420 from the file's 义工人次", n)
	}
}

// TestFailedPublishFailsTheRun: a write that fails at the end of a run
// (here the snapshot, whose place is taken by a folder; a full disk in the
// wild) fails the run and its record, never exit 0.
func TestFailedPublishFailsTheRun(t *testing.T) {
	p, _ := newCity(t)
	c := p.Config()
	ctx := context.Background()
	if _, err := samples.CopyBatch("batch1", c.Inbox); err != nil {
		t.Fatal(err)
	}
	snap := warehouse.FilesOf(c.Warehouse).Snapshot
	if err := os.MkdirAll(filepath.Join(snap, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(ctx, "test")
	if err == nil || !strings.Contains(err.Error(), "publish") {
		t.Fatalf("run with no way to publish: %v, want a publish error", err)
	}
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var status, msg string
	if err := w.DB.QueryRow(`SELECT status, error FROM ops.runs WHERE run_id = ?`, res.RunID).Scan(&status, &msg); err != nil {
		t.Fatal(err)
	}
	if status != warehouse.RunFailed || !strings.Contains(msg, "publish") {
		t.Errorf("the run's record: %s %q, want failed, saying publish", status, msg)
	}
}
