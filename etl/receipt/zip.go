package receipt

import (
	"io"

	"github.com/xuri/excelize/v2"

	"shequ/internal/fastzip"
)

// fastZip is the zip writer excelize saves a receipt with: a receipt is a
// working copy a district opens once, deflated at the fastest level.
func fastZip(w io.Writer) excelize.ZipWriter { return fastzip.NewWriter(w) }
