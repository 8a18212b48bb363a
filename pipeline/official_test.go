package pipeline

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"shequ/models/modelstest"
	"shequ/official"
	"shequ/samples"
	"shequ/samples/gen"
	"shequ/schedules"
	"shequ/schedules/scheduler"
	"shequ/warehouse"
)

// newCity is a pipeline on an empty folder, its events kept.
func newCity(t *testing.T) (*Pipeline, *[]Event) {
	t.Helper()
	dir := t.TempDir()
	events := &[]Event{}
	c := Resolve(Config{
		Warehouse: filepath.Join(dir, "shequ.duckdb"), Inbox: filepath.Join(dir, "inbox"), Out: filepath.Join(dir, "out"),
		OnEvent: func(ev Event) { *events = append(*events, ev) },
	}, func(string) string { return "" })
	return New(c), events
}

// setSample sets the sample city's profile, as the demo does.
func setSample(t *testing.T, w *warehouse.Warehouse) {
	t.Helper()
	if err := SetSampleCity(context.Background(), w, "test"); err != nil {
		t.Fatal(err)
	}
}

// ingestBatch copies a batch of the sample into the inbox and ingests it
// with the ingest marts.
func ingestBatch(t *testing.T, p *Pipeline, w *warehouse.Warehouse, batch string) {
	t.Helper()
	if _, err := samples.CopyBatch(batch, p.Config().Inbox); err != nil {
		t.Fatal(err)
	}
	if _, err := p.IngestAndShow(context.Background(), w); err != nil {
		t.Fatal(err)
	}
}

// yearRows is every row of every mart of a year in a relation (closed
// version or official view) as text, sorted: the figures to compare.
func yearRows(t *testing.T, w *warehouse.Warehouse, schema string, year, version int) map[string][]string {
	t.Helper()
	ctx := context.Background()
	marts, err := official.YearMarts(ctx, w.DB, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, m := range marts {
		cols := make([]string, len(m.Columns))
		for i, c := range m.Columns {
			cols[i] = `"` + c + `"`
		}
		q := fmt.Sprintf(`SELECT CAST(t AS VARCHAR) FROM (SELECT %s FROM %s.%s WHERE year = %d`, strings.Join(cols, ", "), schema, m.Name, year)
		if version > 0 {
			q += fmt.Sprintf(" AND version = %d", version)
		}
		rows, err := w.DB.Query(q + ") t ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out[m.Name] = append(out[m.Name], s)
		}
		rows.Close()
	}
	return out
}

// folder is the SHA-256 of every file under dir (not in subfolders: a
// trial's or a preview's folder), by name.
func folder(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(h[:])
	}
	return out
}

func sameMaps[V comparable](a, b map[string]V) []string {
	var diffs []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			diffs = append(diffs, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, k)
		}
	}
	sort.Strings(diffs)
	return diffs
}

func rowsEqual(a, b map[string][]string) []string {
	var diffs []string
	for k := range a {
		if strings.Join(a[k], "\n") != strings.Join(b[k], "\n") {
			diffs = append(diffs, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, k)
		}
	}
	sort.Strings(diffs)
	return diffs
}

// TestCloseAndRestate closes 2013 and 2014 of the sample city after
// batch1, ingests batch2 (which changes both): the official marts and
// report files of both years are unchanged byte for byte, the working
// marts equal samples/expected; a dry run shows the delta without
// committing; the restatement of 2014 makes version 2, whose delta lists
// exactly the rows that differ between the versions with the submissions
// behind them, and version 1 stays as it was.
func TestCloseAndRestate(t *testing.T) {
	ctx := context.Background()
	p, events := newCity(t)
	cfg := p.Config()
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	setSample(t, w)
	ingestBatch(t, p, w, "batch1")

	official1 := map[int]map[string][]string{}
	files1 := map[int]map[string]string{}
	for _, y := range []int{2013, 2014} {
		res, err := p.Close(ctx, w, CloseOptions{Year: y, By: "张三", Note: fmt.Sprintf("%d年度数据经局务会审定", y)})
		if err != nil {
			t.Fatalf("close %d: %v", y, err)
		}
		if res.Version.Version != 1 || res.Version.Inputs == 0 || res.Version.MartRows == 0 {
			t.Fatalf("close %d: %+v", y, res.Version)
		}
		official1[y] = yearRows(t, w, "official", y, 0)
		if d := rowsEqual(official1[y], yearRows(t, w, "marts", y, 0)); len(d) > 0 {
			t.Errorf("%d: the official view differs from the marts just closed in %v", y, d)
		}
		files1[y] = folder(t, filepath.Join(cfg.Out, fmt.Sprint(y)))
		if len(files1[y]) != 5 {
			t.Errorf("%d: official report files %v, want the workbook, the page, the details and the allocation's two", y, files1[y])
		}
	}
	if _, err := p.Close(ctx, w, CloseOptions{Year: 2014, By: "李四", Note: "again"}); err == nil || !strings.Contains(err.Error(), "already closed") {
		t.Errorf("a second close of 2014: %v", err)
	}
	// The allocation of a closed year carries its sign-off and version.
	page, _ := os.ReadFile(filepath.Join(cfg.Out, "2014", "市级奖励资金分配表_2014.html"))
	for _, want := range []string{"（第1版）", "正式版本 第1版", "张三", "江州市民政局"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the official allocation page lacks %q", want)
		}
	}
	w.Close()

	// batch2 arrives: the nightly run ingests, builds and reports.
	if _, err := samples.CopyBatch("batch2", cfg.Inbox); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	w, err = p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := p.Report(ctx, w, ReportOptions{Year: 2013}); err != nil {
		t.Fatal(err)
	}
	diffs, err := modelstest.CompareExpected(ctx, w.DB, samples.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("working marts: %s", d)
	}
	for _, y := range []int{2013, 2014} {
		if d := rowsEqual(official1[y], yearRows(t, w, "official", y, 0)); len(d) > 0 {
			t.Errorf("%d: batch2 changed the official rows of %v", y, d)
		}
		if d := rowsEqual(official1[y], yearRows(t, w, "marts", y, 0)); len(d) == 0 {
			t.Errorf("%d: batch2 changed none of the working marts; the test shows nothing", y)
		}
		if d := sameMaps(files1[y], folder(t, filepath.Join(cfg.Out, fmt.Sprint(y)))); len(d) > 0 {
			t.Errorf("%d: report files changed after batch2: %v", y, d)
		}
	}
	noted := false
	for _, ev := range *events {
		noted = noted || strings.Contains(ev.Line, "differ from the official ones")
	}
	if !noted {
		t.Errorf("no report said that the working figures of a closed year differ from the official ones")
	}

	// The dry run: the delta, nothing committed.
	pr, _ := p.Project()
	dry, err := p.Close(ctx, w, CloseOptions{Year: 2014, By: "李四", Note: "第四季度补报与评估更正", Restate: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := official.Current(ctx, w.DB, 2014); v.Version != 1 {
		t.Fatalf("a dry run made version %d", v.Version)
	}
	if _, err := os.Stat(filepath.Join(cfg.Out, "2014", "更正预览_2014_v1-v2.xlsx")); err != nil {
		t.Errorf("the dry run wrote no preview: %v", err)
	}

	res, err := p.Close(ctx, w, CloseOptions{Year: 2014, By: "李四", Note: "第四季度补报与评估更正", Restate: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version.Version != 2 || len(res.Delta.Rows) != len(dry.Delta.Rows) {
		t.Fatalf("restatement: version %d with %d changes; the dry run showed %d", res.Version.Version, len(res.Delta.Rows), len(dry.Delta.Rows))
	}
	// The delta lists exactly the rows that differ between the versions.
	marts, err := official.YearMarts(ctx, w.DB, pr)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, m := range marts {
		keys := make([]string, len(m.Key))
		for i, k := range m.Key {
			keys[i] = fmt.Sprintf(`'%s=' || coalesce(CAST("%s" AS VARCHAR), 'NULL')`, k, k)
		}
		v := func(n int) string {
			cols := make([]string, len(m.Columns))
			for i, c := range m.Columns {
				cols[i] = `"` + c + `"`
			}
			return fmt.Sprintf("SELECT %s FROM closed.%s WHERE year = 2014 AND version = %d", strings.Join(cols, ", "), m.Name, n)
		}
		q := fmt.Sprintf(`SELECT DISTINCT concat_ws(', ', %[1]s) FROM ((%[2]s EXCEPT %[3]s) UNION ALL (%[3]s EXCEPT %[2]s))`, strings.Join(keys, ", "), v(1), v(2))
		rows, err := w.DB.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			rows.Scan(&k)
			want[m.Name+": "+k] = true
		}
		rows.Close()
	}
	got := map[string]bool{}
	newIDs := map[int64]bool{}
	for _, s := range res.Delta.NewSubmissions {
		newIDs[s.ID] = true
	}
	for _, r := range res.Delta.Rows {
		got[r.Mart+": "+r.KeyText()] = true
		if len(r.Submissions) == 0 {
			t.Errorf("%s %s: no submission behind the change", r.Mart, r.KeyText())
		}
		for _, id := range r.Submissions {
			if !newIDs[id] && res.Delta.Submission(id).File == "" {
				t.Errorf("%s %s: submission %d is not one the official version lacked", r.Mart, r.KeyText(), id)
			}
		}
	}
	if d := sameMaps(want, got); len(d) > 0 {
		t.Errorf("the delta and the versions disagree on %d rows: %v", len(d), d)
	}
	if len(got) == 0 {
		t.Fatal("the restatement changed nothing")
	}
	var direct int
	for _, r := range res.Delta.Rows {
		if r.Direct {
			direct++
		}
	}
	t.Logf("delta of 2014: %d rows (%d with a submission of their own key), %d new submissions, allocation %+v", len(res.Delta.Rows), direct, len(res.Delta.NewSubmissions), res.Delta.Allocation)
	var stored int
	w.DB.QueryRow(`SELECT count(*) FROM closed.changes WHERE year = 2014 AND version = 2`).Scan(&stored)
	if stored != len(res.Delta.Rows) {
		t.Errorf("closed.changes holds %d rows, the delta %d", stored, len(res.Delta.Rows))
	}
	// Version 2 is the working figures; version 1 is still what it was,
	// byte for byte, and verifies.
	if d := rowsEqual(yearRows(t, w, "marts", 2014, 0), yearRows(t, w, "official", 2014, 0)); len(d) > 0 {
		t.Errorf("the official 2014 after the restatement differs from the working marts in %v", d)
	}
	if d := rowsEqual(official1[2014], yearRows(t, w, "closed", 2014, 1)); len(d) > 0 {
		t.Errorf("version 1 of 2014 changed: %v", d)
	}
	if _, err := official.Verify(ctx, w.DB, pr, 2014, 1); err != nil {
		t.Error(err)
	}
	if _, err := official.Verify(ctx, w.DB, pr, 2014, 2); err != nil {
		t.Error(err)
	}
	v1, err := official.Files(ctx, w.DB, 2014, 1)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]string{}
	for _, f := range v1 {
		kept[filepath.Base(f.Path)] = f.SHA256()
	}
	if d := sameMaps(files1[2014], kept); len(d) > 0 {
		t.Errorf("version 1's files are not those it was closed with: %v", d)
	}
	now := folder(t, filepath.Join(cfg.Out, "2014"))
	for _, f := range []string{"更正差异表_2014_v1-v2.xlsx", "更正差异表_2014_v1-v2.html"} {
		if now[f] == "" {
			t.Errorf("the restatement wrote no %s", f)
		}
	}
	if now["市级奖励资金分配表_2014.xlsx"] == files1[2014]["市级奖励资金分配表_2014.xlsx"] {
		t.Errorf("the 2014 allocation is still version 1's")
	}
	// 2013 is untouched by the restatement of 2014.
	if d := rowsEqual(official1[2013], yearRows(t, w, "official", 2013, 0)); len(d) > 0 {
		t.Errorf("2013 changed with 2014's restatement: %v", d)
	}
}

// allocation is the allocation of a year in marts.city_rewards: its sum
// and its budget.
func allocation(t *testing.T, w *warehouse.Warehouse, year int) (sum, budget string) {
	t.Helper()
	var b *string
	if err := w.DB.QueryRow(`SELECT CAST(sum(allocation) AS VARCHAR), CAST(max(budget) AS VARCHAR) FROM marts.city_rewards WHERE year = ?`, year).Scan(&sum, &b); err != nil {
		t.Fatal(err)
	}
	if b != nil {
		budget = *b
	}
	return sum, budget
}

// TestBudgetKept sets the 2014 reward budget once: two runs and the
// nightly job through the scheduler all allocate within it, and a trial
// under another budget, labelled 试算, changes none of it.
func TestBudgetKept(t *testing.T) {
	ctx := context.Background()
	p, _ := sampleCity(t)
	cfg := p.Config()
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := p.Project()
	ch, err := official.SetPolicy(ctx, w.DB, pr, "reward_budget.csv", []byte("year,budget\n2014,1000000\n"), "王芳", "2014年市级奖励预算经局务会确定")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Version != 1 || ch.Table != "reward_budget" {
		t.Errorf("policy change %+v", ch)
	}
	if _, err := official.SetPolicy(ctx, w.DB, pr, "reward_budget.csv", []byte("year,budget\n2014,lots\n"), "王芳", "typo"); err == nil {
		t.Errorf("a budget of lots was kept")
	}
	w.Close()
	check := func(when string) {
		t.Helper()
		w, err := p.Open(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		sum, budget := allocation(t, w, 2014)
		if budget != "1000000.00" || sum != "1000000.00" {
			t.Errorf("%s: 2014 allocates %s of a budget %q, want 1000000.00 of 1000000.00", when, sum, budget)
		}
		var origin string
		w.DB.QueryRow(`SELECT origin FROM policy.versions WHERE policy_table = 'reward_budget' AND origin <> 'default'`).Scan(&origin)
		if origin != "setting" {
			t.Errorf("%s: the budget's file in policy.versions has origin %q, want setting", when, origin)
		}
	}
	for i := 1; i <= 2; i++ {
		if _, err := p.Run(ctx, "test"); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("run %d", i))
	}
	book, _ := os.ReadFile(filepath.Join(cfg.Out, "2014", "市级奖励资金分配表_2014.html"))
	if !strings.Contains(string(book), "本市政策变更第1号") {
		t.Errorf("the allocation does not cite the budget's change")
	}

	defs, err := schedules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheduler.New(defs, scheduler.Options{Warehouse: cfg.Warehouse, Command: "test", Runner: p.Runner()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err := s.RunNow("nightly", scheduler.TriggerManual); err != nil || out.Status != warehouse.RunOK {
		t.Fatalf("nightly: %+v, %v", out, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	check("the nightly job")

	// A trial under another budget: labelled, and nothing official moves.
	trial := filepath.Join(t.TempDir(), "reward_budget_trial.csv")
	os.WriteFile(trial, []byte("year,budget\n2014,1500000\n"), 0o644)
	official1 := folder(t, filepath.Join(cfg.Out, "2014"))
	w, err = p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Report(ctx, w, ReportOptions{Policy: []string{trial}})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(cfg.Out, "2014", "试算-reward_budget_trial", "市级奖励资金分配表_2014.html"))
	if err != nil {
		t.Fatalf("%v (wrote %v)", err, res.Files)
	}
	for _, want := range []string{"试算", "1,500,000.00"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the trial's allocation lacks %q", want)
		}
	}
	if d := sameMaps(official1, folder(t, filepath.Join(cfg.Out, "2014"))); len(d) > 0 {
		t.Errorf("the trial changed the official reports: %v", d)
	}
	check("after the trial")
	w, err = p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cs, _ := official.PolicyChanges(ctx, w.DB)
	if len(cs) != 1 {
		t.Errorf("%d policy changes after the trial, want 1", len(cs))
	}
}

// reportText is the text a report file holds: an HTML page as it is, a
// workbook's shared strings and sheets.
func reportText(t *testing.T, path string) string {
	t.Helper()
	if strings.HasSuffix(path, ".html") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/") || !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, _ := io.ReadAll(r)
		r.Close()
		b.Write(x)
	}
	return html.UnescapeString(b.String())
}

// TestGeneratedCityProfile runs a generated city (not the demo's) with its
// own name, bureau and a 文号 the seeds lack: every report shows them, and
// cites the policy documents by title and 文号, never as seeds.
func TestGeneratedCityProfile(t *testing.T) {
	ctx := context.Background()
	p, _ := newCity(t)
	cfg := p.Config()
	if _, err := gen.Generate(gen.Config{Communities: 60, FromYear: 2014, ToYear: 2014, Activities: 1500, Seed: 11, Out: cfg.Inbox, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{
		{official.KeyCity, "云州市"}, {official.KeyBureau, "云州市民政局"}, {official.KeyCode, "590100"},
		{"doc.004.number", "东府办〔2011〕65号"}, {"doc.003.title", "云州市全面推进社区服务社会化工作方案"}, {"doc.003.number", "云政办发〔2016〕9号"},
	} {
		if _, err := official.Set(ctx, w.DB, kv[0], kv[1], "赵敏", "启用系统"); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	if _, err := p.Run(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cfg.Out, "2014")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	wants := map[string][]string{
		"社区服务年度报告":  {"云州市2014年度", "云州市民政局", "深民函〔2016〕1223号", "《云州市全面推进社区服务社会化工作方案》（云政办发〔2016〕9号）", "东府办〔2011〕65号"},
		"市级奖励资金分配表": {"云州市2014年度", "云州市民政局", "《深圳市社区服务“十二五”规划》（深府办〔2011〕111号）", "东府办〔2011〕65号"},
		"社区服务项目明细":  {"云州市2014年度", "云州市民政局", "深民函〔2016〕1223号", "东府办〔2011〕65号"},
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		n++
		text := reportText(t, filepath.Join(dir, e.Name()))
		stem := strings.Split(e.Name(), "_")[0]
		want, ok := wants[stem]
		if !ok {
			t.Errorf("unexpected report %s", e.Name())
		}
		for _, s := range want {
			if !strings.Contains(text, s) {
				t.Errorf("%s lacks %q", e.Name(), s)
			}
		}
		for _, bad := range []string{"seed 0", "江州市", "文号未设置", "assumption"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s shows %q", e.Name(), bad)
			}
		}
	}
	if n != 5 {
		t.Errorf("%d reports in %s, want 5", n, dir)
	}
}
