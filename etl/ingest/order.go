package ingest

import (
	"context"
	"errors"
	"io"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"shequ/etl/read"
	"shequ/etl/sheet"
)

// Files that arrive together resolve together (DOMAIN.md §3): every new
// file of a run is one batch, and the files that others point to load
// first — rosters, then projects, then the rest — whatever order they
// were copied in. Among files of the same rank the order of arrival
// (modification time, then path) keeps latest-wins as it was. A file's
// rank is the first kind among its sheets, found by reading each sheet's
// header, so a workbook of projects and staff ranks with the projects and
// still resolves within itself (its sheets load in kind order). Whatever a
// file's rank, a row that still finds no parent waits, and is released at
// the end of the run when its parent came later in the batch.

// rankUnknown is the rank of a file whose kinds could not be read: it is
// quarantined when it loads, after every file that can be.
const rankUnknown = 1 << 20

// A ranked file is a found file with the rank it loads at.
type ranked struct {
	f    Found
	rank int
}

// order ranks the new files, in parallel, and returns every file in the
// order it loads, with the time the ranking took summed over the workers.
// A file received before (same path, size and modification time as a
// received submission) is not read: it is only hashed, when it loads, to
// confirm it.
func order(ctx context.Context, found []Found, seen map[string]bool, opt *Options, workers int) ([]ranked, time.Duration) {
	out := make([]ranked, len(found))
	var ranking atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f := found[i]
				out[i] = ranked{f: f}
				if seen[statKey(f.Rel, f.Size, f.ModTime)] {
					continue
				}
				start := time.Now()
				out[i].rank = rank(f.Path, opt)
				ranking.Add(int64(time.Since(start)))
			}
		}()
	}
	for i := range found {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank < out[j].rank })
	return out, time.Duration(ranking.Load())
}

// statKey identifies a file by what the file system says of it (to the
// microsecond, as raw.submissions keeps it).
func statKey(rel string, size int64, mod time.Time) string {
	return rel + "\x00" + strconv.FormatInt(size, 10) + "\x00" + mod.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// rank reads the header of each sheet of a file and returns the order of
// its first kind. It reads the file in the inbox, before it is archived:
// a file that changes in between may load at another rank, and its rows
// that then wait for a parent are released at the end of the run.
func rank(path string, opt *Options) int {
	book, err := read.Open(path, opt.Limits)
	if err != nil {
		return rankUnknown
	}
	defer book.Close()
	best := rankUnknown
	for _, si := range book.Sheets() {
		rr, err := book.Rows(si.Name)
		if err != nil {
			return rankUnknown
		}
		sc, err := sheet.Open(rr)
		rr.Close()
		if err != nil {
			if err == io.EOF || errors.Is(err, sheet.ErrNoHeader) {
				continue
			}
			return rankUnknown
		}
		best = min(best, sc.Layout.Kind.Order)
	}
	return best
}

func statFile(p string) (os.FileInfo, error) { return os.Stat(p) }
