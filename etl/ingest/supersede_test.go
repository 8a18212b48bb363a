package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/samples/gen"
	"shequ/warehouse"
)

// TestSupersessionInvariant ingests a generated city with half of its
// files sent again later in the same run, then the other half in a second
// run (re-saved so that their hash differs), and checks every raw row against the rule of
// DOMAIN.md §3 written as a query over the whole history: a row is
// superseded by the first later submission holding a row of its partition,
// and is current when there is none.
func TestSupersessionInvariant(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests a city")
	}
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	m, err := gen.Generate(gen.Config{Communities: 300, FromYear: 2013, ToYear: 2014, Activities: 4000, Seed: 3, Out: inbox})
	if err != nil {
		t.Fatal(err)
	}
	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// resend copies files (every other one of each kind, from the
	// phase-th) re-saved under dir, received after everything else.
	resend := func(dir string, phase int, later time.Time) int {
		n := 0
		seen := map[string]int{}
		for i, f := range m.Files {
			if f.DuplicateOf != "" {
				continue
			}
			if seen[f.Kinds[0]]++; (seen[f.Kinds[0]]+phase)%2 == 0 {
				continue
			}
			src := filepath.Join(inbox, f.Path)
			dst := filepath.Join(inbox, dir, f.Path)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if f.Format == "csv" {
				b, err := os.ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dst, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				x, err := excelize.OpenFile(src)
				if err != nil {
					t.Fatal(err)
				}
				x.SetDocProps(&excelize.DocProperties{Title: dir})
				if err := x.SaveAs(dst); err != nil {
					t.Fatal(err)
				}
				x.Close()
			}
			mt := later.Add(time.Duration(i) * time.Second)
			if err := os.Chtimes(dst, mt, mt); err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	// The first run takes every file and, after them, half of them again.
	n1 := resend("resent-same-run", 1, time.Now().Add(time.Hour))
	s := ingestOnce(t, w, inbox)
	if want := len(m.Files) + n1; s.New != want {
		t.Fatalf("first run: %d new files, want %d", s.New, want)
	}
	// The second run takes the other half again.
	n := resend("resent", 0, time.Now().Add(2*time.Hour))
	s = ingestOnce(t, w, inbox)
	if s.New != n || s.Loaded != n {
		t.Fatalf("second run: %d new, %d loaded; want %d resent files loaded", s.New, s.Loaded, n)
	}

	check := func(table, partitionsOf string, keys []string) {
		t.Helper()
		var eq []string
		for _, k := range keys {
			eq = append(eq, fmt.Sprintf(k, "n")+" = "+fmt.Sprintf(k, "o"))
		}
		q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE o.superseded_by IS NOT NULL),
			count(*) FILTER (WHERE o.superseded_by IS DISTINCT FROM (SELECT min(n.submission_id) FROM raw.%s AS n
				WHERE n.submission_id > o.submission_id AND %s))
			FROM raw.%s AS o`, partitionsOf, strings.Join(eq, " AND "), table)
		var all, superseded, wrong int
		if err := w.DB.QueryRow(q).Scan(&all, &superseded, &wrong); err != nil {
			t.Fatal(err)
		}
		if superseded == 0 {
			t.Errorf("raw.%s: none of %d rows superseded; the test sends no later file of this kind", table, all)
		}
		if wrong > 0 {
			t.Errorf("raw.%s: %d of %d rows break the latest-wins rule", table, wrong, all)
		}
	}
	for kind, keys := range partitionKeys {
		check(kind, kind, keys)
	}
	check("project_communities", "projects", partitionKeys["projects"])
}
