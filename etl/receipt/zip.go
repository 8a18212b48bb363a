package receipt

import (
	"archive/zip"
	"compress/flate"
	"io"
	"sync"

	"github.com/xuri/excelize/v2"
)

// Receipts are deflated at flate.BestSpeed, not excelize's default level:
// a receipt is a working copy a district opens once, and deflating at the
// default level was a sixth of a province's first load (see BENCHMARKS.md,
// issue #19); the workbook is a little larger.

// flaters keeps deflate writers for reuse: each holds about a megabyte of
// tables, and a receipt has a dozen parts.
var flaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// pooledFlate returns its writer to flaters when closed.
type pooledFlate struct{ w *flate.Writer }

func (p *pooledFlate) Write(b []byte) (int, error) { return p.w.Write(b) }

func (p *pooledFlate) Close() error {
	err := p.w.Close()
	flaters.Put(p.w)
	p.w = nil
	return err
}

// fastZip is the zip writer excelize saves a receipt with.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw := flaters.Get().(*flate.Writer)
		fw.Reset(out)
		return &pooledFlate{fw}, nil
	})
	return zw
}
