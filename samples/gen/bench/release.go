package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"shequ/samples/gen"
)

// Batch is what the batch figures measured (DOMAIN.md §3: files that
// arrive together resolve together; a late parent releases its orphans).
type Batch struct {
	// Whole is one ingest of every file of the size in one run: its
	// ranking (reading each new file's headers to load rosters and
	// projects first) and its release pass are parts of its time.
	Files int
	Whole Timing
	Rank  time.Duration // summed over the checking workers
	Idle  time.Duration // the release pass with nothing to release
	// Orphans: every file but the projects of the last year, then those
	// projects in a run of their own, which releases every row that
	// waited for them; against the first run's ingest rate.
	HeldBack      int
	First         Timing
	Released      int
	ReleaseRun    Timing // the second run, whole
	ReleaseOnly   time.Duration
	ReleasedFiles int
}

// RankShare and ReleaseShare are the shares of the whole ingest's time.
func (b *Batch) RankShare() float64 { return b.Rank.Seconds() / b.Whole.Elapsed.Seconds() }

// ReleaseRatio compares releasing rows with ingesting them the first time:
// rows per second of the release against rows per second of the first run.
func (b *Batch) ReleaseRatio() float64 {
	if b.ReleaseOnly == 0 || b.First.Elapsed == 0 {
		return 0
	}
	return (float64(b.Released) / b.ReleaseOnly.Seconds()) / b.First.RowsPerSec()
}

// MeasureBatch runs the batch figures on the generated inbox in dataDir.
func MeasureBatch(ctx context.Context, dataDir string, m *gen.Manifest, work string) (*Batch, error) {
	b := &Batch{}
	all, _ := Files(m, func(f gen.FileInfo) bool { return true })
	b.Files = len(all)
	inbox := filepath.Join(work, "whole")
	if err := Stage(dataDir, inbox, all); err != nil {
		return b, err
	}
	t, s, err := Ingest(ctx, "", filepath.Join(work, "whole.duckdb"), inbox, Rows(all), IngestOptions{})
	if err != nil {
		return b, err
	}
	b.Whole, b.Rank, b.Idle = t, s.RankTime, s.ReleaseTime
	if s.ReleasedRows != 0 {
		return b, fmt.Errorf("batch: %d rows released in a run where every parent came with its children", s.ReleasedRows)
	}

	held, rest := Files(m, func(f gen.FileInfo) bool { return f.Year == m.ToYear && slices.Contains(f.Kinds, "projects") })
	b.HeldBack = len(held)
	first := filepath.Join(work, "orphans")
	if err := Stage(dataDir, first, rest); err != nil {
		return b, err
	}
	path := filepath.Join(work, "orphans.duckdb")
	if b.First, _, err = Ingest(ctx, "", path, first, Rows(rest), IngestOptions{}); err != nil {
		return b, err
	}
	second := filepath.Join(work, "parents")
	if err := Stage(dataDir, second, held); err != nil {
		return b, err
	}
	t, s, err = IngestMore(ctx, path, second, Rows(held))
	if err != nil {
		return b, err
	}
	b.ReleaseRun, b.Released, b.ReleaseOnly, b.ReleasedFiles = t, s.ReleasedRows, s.ReleaseTime, len(s.Released)
	return b, nil
}

// BatchMarkdown writes the batch figures as rows of the report's table.
func (b *Batch) markdown(m *gen.Manifest) string {
	if b == nil || b.Whole.Elapsed == 0 {
		return ""
	}
	s := fmt.Sprintf("| one ingest of all %d files: ordering the batch (reading each new file's headers), summed over the workers | %s of %s | %.3f× the ingest | ≤ 0.10× %s |\n",
		b.Files, b.Rank.Round(time.Millisecond), b.Whole.Elapsed.Round(time.Millisecond), b.RankShare(), mark(b.RankShare() <= 0.10))
	s += fmt.Sprintf("| … its release pass (nothing waits) | %s | %.4f× the ingest | – |\n",
		b.Idle.Round(time.Millisecond), b.Idle.Seconds()/b.Whole.Elapsed.Seconds())
	s += fmt.Sprintf("| %d rows of %d files waiting for the %d projects files of %d, released when those arrive in a run of their own | release %s (run %s) | %.2f× the first ingest's rate (%s) | reported |\n",
		b.Released, b.ReleasedFiles, b.HeldBack, m.ToYear, b.ReleaseOnly.Round(time.Millisecond), b.ReleaseRun.Elapsed.Round(time.Millisecond),
		b.ReleaseRatio(), rate(b.First))
	return s
}
