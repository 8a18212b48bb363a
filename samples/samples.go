// Package samples embeds the public sample city (江州市): the messy
// submissions districts sent (inbox/batch1, then inbox/batch2), the clean
// rows behind them (truth) and every mart computed independently of SQL
// (expected). The demo runs on it and the golden tests compare against it.
// It is a copy of ../shared/samples; MANIFEST.md says what each file shows.
package samples

import "embed"

// FS holds inbox/, truth/, expected/ and MANIFEST.md.
//
//go:embed inbox truth expected MANIFEST.md
var FS embed.FS
