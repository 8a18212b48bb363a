package pipeline

import (
	"context"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shequ/internal/crashtest"
	"shequ/models/modelstest"
	"shequ/official"
	"shequ/samples"
	"shequ/warehouse"
)

// TestKillBuild kills a real build process with SIGKILL after a random
// number of its models have been built, with a policy change that moves
// the marts: no mart changed (a build is all or nothing), the build's run
// is recorded as interrupted at the next open, no report is stamped with
// it, and the next build completes.
func TestKillBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	p, _ := sampleCity(t)
	dir := filepath.Dir(p.Config().Warehouse)
	ctx := context.Background()
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := p.Project()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := official.SetPolicy(ctx, w.DB, pr, "parameters.csv", []byte("name,value\ncoverage_target_rural,0.5\nstaffing_min_full_time,6\n"),
		"test", "a change the killed build would apply"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	after := 3 + rand.Intn(20)
	t.Logf("killed after %d models", after)
	marker := filepath.Join(dir, "building")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillBuildHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "SHEQU_KILL_BUILD="+p.Config().Warehouse, "SHEQU_KILL_AFTER="+strconv.Itoa(after))
	crashtest.KillAt(t, cmd, dir, marker)

	if w, err = p.Open(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	diffs, err := modelstest.CompareExpected(ctx, w.DB, samples.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("a killed build changed a mart: %s", d)
	}
	b, ok, err := warehouse.LastBuild(ctx, w.DB)
	if err != nil || !ok || b.Status != warehouse.RunInterrupted {
		t.Errorf("the killed build's run: %+v %v %v, want interrupted", b, ok, err)
	}
	if _, err := p.Report(ctx, w, ReportOptions{}); err == nil || !strings.Contains(err.Error(), "shequ build") {
		t.Errorf("report after a killed build: %v, want a refusal", err)
	}
	// The next build completes, with the policy change: coverage moves.
	if _, err := p.Build(ctx, w, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if diffs, _ := modelstest.CompareExpected(ctx, w.DB, samples.FS); len(diffs) == 0 {
		t.Error("the next build did not apply the policy change")
	}
}

// TestKillBuildHelper is the child of TestKillBuild: it builds, says so
// once enough models are built, and waits to be killed.
func TestKillBuildHelper(t *testing.T) {
	path := os.Getenv("SHEQU_KILL_BUILD")
	if path == "" {
		t.Skip("run by TestKillBuild")
	}
	after, _ := strconv.Atoi(os.Getenv("SHEQU_KILL_AFTER"))
	built := 0
	p := New(Config{Warehouse: path, OnEvent: func(ev Event) {
		if ev.Kind == Progress && ev.Stage == "build" && strings.HasSuffix(ev.Line, " ok") {
			if built++; built == after {
				os.WriteFile(filepath.Join(filepath.Dir(path), "building"), nil, 0o644)
				time.Sleep(time.Hour)
			}
		}
	}})
	ctx := context.Background()
	w, err := p.OpenExisting(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	// A full build: an incremental one may rebuild fewer models than after.
	_, err = p.Build(ctx, w, BuildOptions{Full: true})
	t.Fatalf("the build finished (%v) before it was killed", err)
}
