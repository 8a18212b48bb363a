package ingest

import (
	"context"
	"errors"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"shequ/etl/read"
	"shequ/etl/sheet"
	"shequ/internal/digest"
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

// A checked file is a found file hashed, archived when new, and ranked.
type checked struct {
	f        Found
	sha      string
	received bool
	arch     string
	rank     int
	err      error // hashing or archiving failed: the file waits for the next run
}

// check hashes, archives and ranks the files, in parallel, and returns
// them in the order they load. A file that cannot be hashed or archived
// (being written, deleted or unreadable) is returned with err set.
func check(ctx context.Context, found []Found, received map[string]bool, opt *Options, workers int) ([]checked, time.Duration) {
	out := make([]checked, len(found))
	var ranking atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var took time.Duration
				out[i], took = checkFile(found[i], received, opt)
				ranking.Add(int64(took))
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
	if ctx.Err() != nil {
		return nil, time.Duration(ranking.Load())
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank < out[j].rank })
	return out, time.Duration(ranking.Load())
}

// checkFile checks one file; it returns the time its ranking took.
func checkFile(f Found, received map[string]bool, opt *Options) (checked, time.Duration) {
	c := checked{f: f}
	c.sha, c.err = digest.File(f.Path)
	if c.err != nil {
		return c, 0
	}
	if c.received = received[receivedKey(f.Rel, c.sha)]; c.received {
		return c, 0
	}
	if c.arch, c.err = archive(opt.Archive, f.Path, c.sha, f.Rel); c.err != nil {
		return c, 0
	}
	start := time.Now()
	c.rank = rank(c.arch, opt)
	return c, time.Since(start)
}

// rank reads the header of each sheet of an archived file and returns
// the order of its first kind.
func rank(arch string, opt *Options) int {
	book, err := read.Open(arch, opt.Limits)
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
