package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"shequ/etl"
	"shequ/etl/read"
	"shequ/etl/sheet"
	"shequ/etl/validate"
	"shequ/internal/digest"
)

// Ingest is a pipeline of three stages, so that on a machine of several
// cores reading a file, validating its rows and loading them overlap:
//
//   - the prefetcher walks the inbox in order: it hashes each file, tells
//     the files already received, archives the new ones and starts a
//     reader for each, at most prefetchFiles files ahead;
//   - a reader opens the archived copy, finds each sheet's header and
//     streams the sheets in kind order, every row classified, cleaned and
//     validated (and every 合计 row checked), in batches;
//   - the loader (the goroutine that called Run) takes the files in order
//     and does everything that depends on the warehouse or on earlier
//     rows: the duplicate check, references, keys, the appends, the
//     supersession and the commit, then the receipt.
//
// What a file becomes does not depend on the pipeline: the loader sees
// the same rows, outcomes and problems in the same order as it would
// reading the file itself, and decides everything in the same order.

const (
	prefetchFiles = 2   // files prepared ahead of the one loading
	batchRows     = 256 // rows a reader hands over at once
	batchesAhead  = 64  // batches a reader may run ahead of the loader
)

// An item is one row below a sheet's header, prepared by a reader.
type item struct {
	total bool // a 合计 row: problems holds what its check found
	row   etl.Row
	out   validate.Outcome // of a data row
	probs []validate.Problem
}

// A batch is a run of items of one sheet. The last batch of a sheet has
// end set; a batch with err ends the file.
type batch struct {
	items []item
	end   bool
	err   error
}

// fileReader reads one archived file in its own goroutine.
type fileReader struct {
	ready chan struct{} // closed once the sheets are known (or fail is set)
	// Set before ready is closed:
	format, encoding string
	sheets           []opened // recognised sheets in kind order
	unrecognised     []string // sheets with no recognised header
	fail             error    // the file cannot be read: a *quarantine

	batches chan batch
	stop    chan struct{} // closed by the loader to abandon the file
	done    chan struct{} // closed when the goroutine has closed the file
	stopped bool
}

// startReader opens the file at arch and streams its rows.
func startReader(arch string, file Found, opt *Options) *fileReader {
	r := &fileReader{ready: make(chan struct{}), batches: make(chan batch, batchesAhead),
		stop: make(chan struct{}), done: make(chan struct{})}
	go r.run(arch, file, opt)
	return r
}

// close abandons the reader, if it is still reading, and waits until it
// has closed the file.
func (r *fileReader) close() {
	if !r.stopped {
		r.stopped = true
		close(r.stop)
	}
	<-r.done
}

func (r *fileReader) run(arch string, file Found, opt *Options) {
	defer close(r.done)
	readyClosed := false
	setReady := func() {
		if !readyClosed {
			readyClosed = true
			close(r.ready)
		}
	}
	defer setReady()
	book, err := read.Open(arch, opt.Limits)
	if err != nil {
		if fe, ok := etl.AsFileError(err); ok {
			r.fail = &quarantine{fe: fe}
		} else {
			r.fail = &quarantine{fe: &etl.FileError{File: file.Rel, Reason: etl.ReasonCorrupt, Zh: "文件无法读取，请检查后重新报送。", Err: err}}
		}
		return
	}
	defer book.Close()
	r.format, r.encoding = book.Format(), book.Encoding()
	defer func() {
		for _, s := range r.sheets {
			s.rr.Close()
		}
	}()
	for _, si := range book.Sheets() {
		rr, err := book.Rows(si.Name)
		if err != nil {
			r.fail = unreadable(file.Rel, err)
			return
		}
		sc, err := sheet.Open(rr)
		switch {
		case err == io.EOF:
			rr.Close()
			continue
		case errors.Is(err, sheet.ErrNoHeader):
			rr.Close()
			r.unrecognised = append(r.unrecognised, si.Name)
			continue
		case err != nil:
			rr.Close()
			r.fail = unreadable(file.Rel, err)
			return
		}
		r.sheets = append(r.sheets, opened{name: si.Name, rr: rr, sc: sc})
	}
	if len(r.sheets) == 0 {
		r.fail = &quarantine{fe: &etl.FileError{File: file.Rel, Reason: etl.ReasonUnknown,
			Err: errors.New("no sheet has a header row of a known submission kind"),
			Zh:  "未能识别报送类型：没有找到社区名册、服务项目、人员名册、经费支出、服务记录、评估结果或功能室的表头行，请使用标准模板（shequ template）。"}}
		return
	}
	// References point to earlier kinds: load sheets in kind order.
	sort.SliceStable(r.sheets, func(i, j int) bool { return r.sheets[i].sc.Layout.Kind.Order < r.sheets[j].sc.Layout.Kind.Order })
	setReady()
	for _, s := range r.sheets {
		if !r.produce(s, opt) {
			return
		}
	}
	close(r.batches)
}

// send hands a batch to the loader; false when the loader has gone.
func (r *fileReader) send(b batch) bool {
	select {
	case r.batches <- b:
		return true
	case <-r.stop:
		return false
	}
}

// produce reads one sheet: it classifies every row, checks 合计 rows
// against the rows above them and validates data rows.
func (r *fileReader) produce(s opened, opt *Options) bool {
	v := validate.New(s.sc.Layout, validate.Options{Catalogue: opt.Catalogue, IDKey: opt.IDKey})
	tot := newTotals(s.sc.Layout)
	items := make([]item, 0, batchRows)
	for {
		line, err := s.sc.Next()
		if err == io.EOF {
			return r.send(batch{items: items, end: true})
		}
		if err != nil {
			if len(items) > 0 && !r.send(batch{items: items}) {
				return false
			}
			r.send(batch{err: err})
			return false
		}
		switch line.Type {
		case sheet.Blank, sheet.Note:
			continue
		case sheet.Total:
			items = append(items, item{total: true, row: line.Row, probs: tot.check(line.Row)})
		default:
			tot.add(line.Row)
			// A reader may reuse its cells on the next call: keep a copy.
			row := etl.Row{Num: line.Num, Cells: append([]string(nil), line.Cells...), Uncached: append([]etl.Formula(nil), line.Uncached...)}
			items = append(items, item{row: row, out: v.Validate(row)})
		}
		if len(items) == batchRows {
			if !r.send(batch{items: items}) {
				return false
			}
			items = make([]item, 0, batchRows)
		}
	}
}

// unreadable turns a read error in the middle of a file into quarantine.
func unreadable(file string, err error) error {
	if fe, ok := etl.AsFileError(err); ok {
		return &quarantine{fe: fe}
	}
	return &quarantine{fe: &etl.FileError{File: file, Reason: etl.ReasonCorrupt, Err: err,
		Zh: "文件内容损坏，读取中途出错，请重新导出后报送。"}}
}

// A prepared file is what the prefetcher hands the loader.
type prepared struct {
	f        Found
	sha      string
	received bool // this file with this content was received before
	arch     string
	err      error       // hashing or archiving failed: the file waits for the next run
	rd       *fileReader // started for a new file
	// tooLarge: the file is over the size limit; only its head is kept
	// and it is quarantined unread.
	tooLarge bool
}

// prefetch prepares the files in order on a channel: it hashes each file,
// tells the files already received, archives the new ones and starts a
// reader for each, at most prefetchFiles files ahead of the loader; cancel
// stops it. A file that cannot be hashed or archived is handed over with
// err set: it waits for the next run, and the files after it go on.
func prefetch(ctx context.Context, files []ranked, received map[string]bool, opt *Options) (<-chan *prepared, func()) {
	out := make(chan *prepared, prefetchFiles-1)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(out)
		for _, r := range files {
			f := r.f
			p := &prepared{f: f}
			p.sha, p.err = digest.File(f.Path)
			if p.err == nil {
				p.received = received[receivedKey(f.Rel, p.sha)]
				if !p.received {
					var err error
					p.tooLarge = f.Size > opt.Limits.MaxFileBytes
					if p.arch, err = archive(opt.Archive, f.Path, p.sha, f.Rel, f.Size, opt.Limits.MaxFileBytes); err != nil {
						p.err = fmt.Errorf("archive: %w", err)
					} else if !p.tooLarge {
						p.rd = startReader(p.arch, f, opt)
					}
				}
			}
			select {
			case out <- p:
			case <-quit:
				if p.rd != nil {
					p.rd.close()
				}
				return
			}
			if ctx.Err() != nil {
				return
			}
		}
	}()
	cancel := func() {
		close(quit)
		// Close the readers of files prepared but never taken.
		for p := range out {
			if p.rd != nil {
				p.rd.close()
			}
		}
		<-finished
	}
	return out, cancel
}

func receivedKey(file, sha string) string { return file + "\x00" + sha }

// loadReceived reads which files, by path and hash, were received before,
// and, by path, size and modification time, which were seen.
func loadReceived(ctx context.Context, db *sql.DB) (received, seen map[string]bool, err error) {
	rows, err := db.QueryContext(ctx, `SELECT file, sha256, size_bytes, modified_at FROM raw.submissions`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	received, seen = map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var file, sha string
		var size int64
		var mod sql.NullTime
		if err := rows.Scan(&file, &sha, &size, &mod); err != nil {
			return nil, nil, err
		}
		received[receivedKey(file, sha)] = true
		if mod.Valid {
			seen[statKey(file, size, mod.Time)] = true
		}
	}
	return received, seen, rows.Err()
}

// receiptWriter writes receipts in the background while the next files
// load: an annotated copy of a file costs more than loading it. At most
// workers receipts wait or are being written; Run waits for them all
// before it returns, so every receipt is on disk, and its path in the
// summary, as when they were written in line.
type receiptWriter struct {
	jobs     chan receiptJob
	wg       sync.WaitGroup
	mu       sync.Mutex
	done     map[int][]string // index in Summary.Files → receipt paths
	finished bool
}

type receiptJob struct {
	index int
	write func() []string
}

func newReceiptWriter(workers int) *receiptWriter {
	rw := &receiptWriter{jobs: make(chan receiptJob, workers), done: map[int][]string{}}
	for i := 0; i < workers; i++ {
		rw.wg.Add(1)
		go func() {
			defer rw.wg.Done()
			for j := range rw.jobs {
				path := j.write()
				rw.mu.Lock()
				rw.done[j.index] = path
				rw.mu.Unlock()
			}
		}()
	}
	return rw
}

// finish waits for every receipt and records their paths in s; it may
// be called more than once.
func (rw *receiptWriter) finish(s *Summary) {
	if rw.finished {
		return
	}
	rw.finished = true
	close(rw.jobs)
	rw.wg.Wait()
	for i, ps := range rw.done {
		s.Files[i].Receipts = ps
		if len(ps) > 0 {
			s.Files[i].Receipt = ps[0]
		}
	}
}
