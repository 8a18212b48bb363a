package pipeline

import (
	"archive/zip"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestKillReport kills a real report process with SIGKILL at random
// moments, again and again. The child writes the reports of 2014 over and
// over, each time under another city's name, so that every report set is
// told apart by its title. After each kill the year's folder holds one
// set: every page of one report run, every workbook whole; the next report
// cleans what the killed one left beside it.
func TestKillReport(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	p, _ := sampleCity(t)
	out := p.Config().Out
	dir := filepath.Dir(p.Config().Warehouse)
	year := filepath.Join(out, "2014")
	city := regexp.MustCompile(`试验(\d+-\d+)市`)
	kills := 6
	for k := 0; k < kills; k++ {
		marker := filepath.Join(dir, fmt.Sprintf("reported-%d", k))
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillReportHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "SHEQU_KILL_REPORT="+p.Config().Warehouse, "SHEQU_KILL_OUT="+out, "SHEQU_KILL_MARKER="+marker,
			"SHEQU_KILL_ROUND="+strconv.Itoa(k))
		log, err := os.Create(filepath.Join(dir, "child.log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = log, log
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The child says when its first report is written; the kill comes
		// at a random moment of one of the next ones.
		var took time.Duration
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(marker); err == nil {
				took = time.Since(start)
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				b, _ := os.ReadFile(log.Name())
				t.Fatalf("the child wrote no report:\n%s", b)
			}
		}
		delay := time.Duration(rand.Int63n(int64(took)))
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()

		// One set in the folder: every page names the same city.
		pages, _ := filepath.Glob(filepath.Join(year, "*.html"))
		if len(pages) < 2 {
			t.Fatalf("kill %d: pages in %s: %v", k, year, pages)
		}
		seen := map[string][]string{}
		for _, page := range pages {
			b, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			m := city.FindSubmatch(b)
			if m == nil {
				t.Fatalf("kill %d: %s names no test city", k, filepath.Base(page))
			}
			seen[string(m[1])] = append(seen[string(m[1])], filepath.Base(page))
		}
		if len(seen) != 1 {
			t.Errorf("kill %d (after %s of a %s report): the folder mixes report sets: %v", k, delay.Round(time.Millisecond), took.Round(time.Millisecond), seen)
		}
		books, _ := filepath.Glob(filepath.Join(year, "*.xlsx"))
		for _, b := range books {
			z, err := zip.OpenReader(b)
			if err != nil {
				t.Errorf("kill %d: %s is not a whole workbook: %v", k, filepath.Base(b), err)
				continue
			}
			z.Close()
		}
		t.Logf("kill %d after %s (a report took %s): the set of round %v", k, delay.Round(time.Millisecond), took.Round(time.Millisecond), seen)
	}

	// The next report cleans the leftovers and puts its own set in place.
	ctx := context.Background()
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := p.Report(ctx, w, ReportOptions{Year: 2014}); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") {
			t.Errorf("left after the next report: %s", path)
		}
		return nil
	})
	pages, _ := filepath.Glob(filepath.Join(year, "*.html"))
	for _, page := range pages {
		if b, _ := os.ReadFile(page); city.Match(b) {
			t.Errorf("%s is still a killed run's", filepath.Base(page))
		}
	}
}

// TestKillReportHelper is the child of TestKillReport: it writes the
// reports of 2014 again and again under a new city name each time (round
// k writes 试验k-0市, 试验k-1市, …), says when the first is written, and is
// killed.
func TestKillReportHelper(t *testing.T) {
	path := os.Getenv("SHEQU_KILL_REPORT")
	if path == "" {
		t.Skip("run by TestKillReport")
	}
	ctx := context.Background()
	for i := 0; ; i++ {
		c := Resolve(Config{Warehouse: path, Out: os.Getenv("SHEQU_KILL_OUT"), City: fmt.Sprintf("试验%s-%d市", os.Getenv("SHEQU_KILL_ROUND"), i)}, func(string) string { return "" })
		p := New(c)
		w, err := p.OpenExisting(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Report(ctx, w, ReportOptions{Year: 2014}); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if i == 0 {
			os.WriteFile(os.Getenv("SHEQU_KILL_MARKER"), nil, 0o644)
		}
	}
}
