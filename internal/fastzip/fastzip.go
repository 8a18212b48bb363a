// Package fastzip makes zip writers that deflate at flate.BestSpeed with
// pooled compressors, for workbooks written by the thousand (the
// districts' receipts): deflating at the default level was a sixth of a
// province's first load (BENCHMARKS.md, issue #19), for files a fifth
// smaller.
package fastzip

import (
	"archive/zip"
	"compress/flate"
	"io"
	"sync"
)

// flaters keeps deflate writers for reuse: each holds about a megabyte of
// tables, and a workbook has a dozen parts.
var flaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// pooled returns its writer to flaters when closed.
type pooled struct{ w *flate.Writer }

func (p *pooled) Write(b []byte) (int, error) { return p.w.Write(b) }

func (p *pooled) Close() error {
	err := p.w.Close()
	flaters.Put(p.w)
	p.w = nil
	return err
}

// NewWriter is zip.NewWriter deflating at flate.BestSpeed.
func NewWriter(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw := flaters.Get().(*flate.Writer)
		fw.Reset(out)
		return &pooled{fw}, nil
	})
	return zw
}
