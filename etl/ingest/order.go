package ingest

import (
	"bytes"
	"context"
	"io"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"shequ/etl"
	etlcsv "shequ/etl/csv"
	"shequ/etl/sheet"
	"shequ/etl/xlsx"
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
// that then wait for a parent are released at the end of the run. A
// workbook is only peeked at (xlsx.Peek: its first rows, no excelize); of
// a text file only the first 64 KiB are read; a file that needs converting
// (.xls, .ods) is not read twice and ranks last.
func rank(path string, opt *Options) int {
	head := make([]byte, csvPeekBytes)
	f, err := os.Open(path)
	if err != nil {
		return rankUnknown
	}
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	if xlsx.IsCFB(head) {
		return rankUnknown
	}
	best := rankUnknown
	consider := func(rr etl.RowReader) {
		sc, err := sheet.Open(rr)
		rr.Close()
		if err == nil {
			best = min(best, sc.Layout.Kind.Order)
		}
	}
	if xlsx.IsZip(head) {
		peeked, err := xlsx.Peek(path, opt.Limits, peekRows)
		if err != nil {
			return rankUnknown
		}
		for _, p := range peeked {
			consider(&rowSlice{rows: p.Rows})
		}
		return best
	}
	// Text: its first lines, up to the last whole line read.
	if n == csvPeekBytes {
		if i := bytes.LastIndexByte(head, '\n'); i > 0 {
			head = head[:i+1]
		}
	}
	book, err := etlcsv.OpenBytes(path, head, opt.Limits)
	if err != nil {
		return rankUnknown
	}
	defer book.Close()
	for _, si := range book.Sheets() {
		rr, err := book.Rows(si.Name)
		if err != nil {
			return rankUnknown
		}
		consider(rr)
	}
	return best
}

// csvPeekBytes is how much of a text file ranking reads.
const csvPeekBytes = 64 << 10

// peekRows is how many rows of each sheet ranking reads: as many as the
// header search looks at.
const peekRows = sheet.MaxHeaderScan + 1

// rowSlice reads rows from a slice.
type rowSlice struct {
	rows []etl.Row
	i    int
}

func (r *rowSlice) Next() (etl.Row, error) {
	if r.i >= len(r.rows) {
		return etl.Row{}, io.EOF
	}
	r.i++
	return r.rows[r.i-1], nil
}

func (r *rowSlice) Close() error { return nil }

func statFile(p string) (os.FileInfo, error) { return os.Stat(p) }
