package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"shequ/etl/ingest"
	"shequ/models"
	"shequ/warehouse"
)

// IngestOptions steer one ingest.
type IngestOptions struct {
	// Parent is the run the ingest is a step of; nil: a run of its own.
	Parent *warehouse.Run
	// Stopping, when closed (the daemon is asked to stop), stops the
	// ingest at the next file boundary: the file being loaded finishes,
	// the next is left for the next run. Only when ctx ends is a file cut
	// short, and its transaction rolled back.
	Stopping <-chan struct{}
}

// ErrInterrupted is returned by a stage stopped early; the next run takes
// the rest.
var ErrInterrupted = ingest.ErrInterrupted

// Ingest takes every new file of the inbox into the warehouse and records
// the run.
func (p *Pipeline) Ingest(ctx context.Context, w *warehouse.Warehouse, o IngestOptions) (*ingest.Summary, error) {
	if err := p.CheckInbox(); err != nil {
		return nil, err
	}
	run, err := p.startRun(ctx, w, "ingest", o.Parent)
	if err != nil {
		return nil, err
	}
	key, err := ingest.IDKey(w.Path)
	if err != nil {
		return nil, fail(ctx, w, run, fmt.Errorf("ID number key: %w", err))
	}
	cat, err := models.ServiceCatalogue()
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	lg := p.cfg.Log
	ictx, stop := context.WithCancel(ctx)
	defer stop()
	s, err := ingest.Run(ictx, w, ingest.Options{
		Inbox: p.cfg.Inbox, Catalogue: cat, IDKey: key, RunID: run.ID, Log: lg, Receipts: p.cfg.Receipts,
		Progress: func(pr ingest.Progress) {
			if pr.Done && isClosed(o.Stopping) {
				stop() // between files: the next one is not begun
			}
			lg.Debug("ingest progress", "file", pr.File, "file_index", pr.FileIndex, "files", pr.Files, "rows", pr.Rows)
			if pr.Releasing {
				p.progress("ingest", false, "ingest  releasing waiting rows of %s  %d rows", filepath.Base(pr.File), pr.Rows)
				return
			}
			p.progress("ingest", pr.Done, "ingest  file %d/%d  %s  %d rows  %s", pr.FileIndex, pr.Files, filepath.Base(pr.File), pr.Rows, pr.Elapsed.Round(time.Second))
		},
	})
	if s != nil {
		run.Files, run.RowsLoaded, run.RowsRejected = s.New, int64(s.Rows), int64(s.Rejected)
	}
	if err != nil {
		if ictx.Err() == nil {
			return s, fail(ctx, w, run, err)
		}
		run.Status = warehouse.RunInterrupted
		run.Error = "interrupted between files: every file loaded is complete; the next run takes the rest"
		if ctx.Err() != nil {
			run.Error = "cancelled in the middle of a file: that file was rolled back; the next run loads it again"
		}
		_ = w.FinishRun(context.WithoutCancel(ctx), run)
		n := 0
		if s != nil {
			n = s.New
		}
		p.note("ingest", "- ingest interrupted after %d new files: the next run takes the rest", n)
		return s, fmt.Errorf("%w: %s", ErrInterrupted, run.Error)
	}
	if err := finish(ctx, w, run); err != nil {
		return s, err
	}
	for _, f := range s.Files {
		if f.Status == ingest.StatusQuarantined {
			lg.Warn("file quarantined", "file", f.File, "reason", f.Reason, "reason_zh", f.ReasonZh)
			p.warn("ingest", "  已隔离 %s：%s\n          quarantined: %s", f.File, f.ReasonZh, f.Reason)
		} else {
			p.emit(Event{Stage: "ingest", Kind: Detail, Line: fmt.Sprintf("  %-11s %s  %v  loaded %d, rejected %d, warned %d", f.Status, f.File, f.Kinds, f.Loaded, f.Rejected, f.Warned)})
		}
	}
	mark := "✓"
	if s.Quarantined > 0 {
		mark = "!"
	}
	took := s.Elapsed.Round(time.Millisecond)
	p.done("ingest", both(fmt.Sprintf("%s 接收：共 %d 个文件，新文件 %d 个（入库 %d、重复 %d、隔离 %d）；入库 %d 行，拒收 %d 行，警告 %d 行，用时 %s",
		mark, s.Seen, s.New, s.Loaded, s.Duplicates, s.Quarantined, s.Rows, s.Rejected, s.Warned, took),
		fmt.Sprintf("ingest: %d new files of %d (%d loaded, %d duplicate, %d quarantined); %d rows loaded, %d rejected, %d warned in %s",
			s.New, s.Seen, s.Loaded, s.Duplicates, s.Quarantined, s.Rows, s.Rejected, s.Warned, took)), s)
	if s.Seen == 0 {
		p.note("ingest", "  收件箱为空：%s 中没有文件 (the inbox holds no files)", p.cfg.Inbox)
	}
	if s.Rejected > 0 || s.Warned > 0 {
		p.note("ingest", "  查看拒收与警告的行 · rejected and warned rows: %s", p.Hint(`SELECT * FROM marts.rejects`))
	}
	if s.ReleasedRows > 0 {
		p.note("ingest", "  %d rows that waited for their project or community loaded (已关联入库), from %d earlier submissions; their receipts are written again",
			s.ReleasedRows, len(s.Released))
	}
	for _, sk := range s.Skipped {
		p.warn("ingest", "  已跳过 %s：%s\n          skipped: %s", sk.Rel, sk.ReasonZh, sk.Reason)
	}
	for _, d := range s.Deferred {
		p.warn("ingest", "  留待下次运行 %s：读取时文件正在变化\n          left for the next run: %v", d.File, d.Err)
	}
	return s, nil
}

// IngestMarts are the marts that describe what ingest received, built
// with everything they read after an ingest of its own, so that what it
// did is visible at once.
const IngestMarts = "+marts.submissions +marts.rejects +marts.data_quality"

// IngestAndShow ingests, then builds IngestMarts and publishes the
// snapshot readers use: `shequ ingest` and an upload in the web
// application.
func (p *Pipeline) IngestAndShow(ctx context.Context, w *warehouse.Warehouse) (*ingest.Summary, error) {
	s, err := p.Ingest(ctx, w, IngestOptions{})
	if err != nil {
		return s, err
	}
	_, err = p.Build(ctx, w, BuildOptions{Select: IngestMarts, Publish: true})
	return s, err
}

// Hint is the shequ sql command that runs query on this warehouse, as a
// person would type it.
func (p *Pipeline) Hint(query string) string {
	w := ""
	if p.cfg.Warehouse != DefaultWarehouse {
		w = " --warehouse " + ShellQuote(p.cfg.Warehouse)
	}
	prog := p.cfg.Program
	if prog == "" {
		prog = "shequ"
	}
	return fmt.Sprintf("%s sql%s -c %s", prog, w, ShellQuote(query))
}

// ShellQuote quotes s for a POSIX shell when it needs it.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '=' || r == ',' || r == '+' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r > 127)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isClosed reports whether c is closed; a nil channel never is.
func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
