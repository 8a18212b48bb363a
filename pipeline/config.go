package pipeline

import (
	"math"
	"runtime/debug"

	"shequ/warehouse"
)

// DefaultMemoryLimit is the writer's DuckDB memory_limit unless
// $SHEQU_MEMORY_LIMIT (or Config.MemoryLimit) says otherwise. DuckDB's own
// default is 80 % of the machine's memory, which it fills with cached
// pages and the build's intermediate results (2.3 GiB peak on the
// province's first load, 1.4 GiB for a nightly run of 818 new rows):
// more than a bureau's shared machine should give a nightly job, which
// is to stay within 1 GiB at the province (issue #19). DuckDB keeps its
// pages cached up to the limit through the reports, where shequ's own
// heap peaks at ~550 MB, so the limit is what is left: 384MB (512MB
// peaked at 1.07 GiB on the province-wide first load, 384MB at 0.96 GiB,
// its build 11 s and 18 s of ~8 min). Past the limit DuckDB spills to the
// warehouse's temp folder (warehouse.Files.Temp). A Config given to New
// without Resolve gets it too.
const DefaultMemoryLimit = "384MB"

// GoMemoryLimit is the Go runtime's soft memory limit of a process that
// opens the warehouse for writing, unless GOMEMLIMIT sets one: the heap
// is collected sooner once it nears it. The reports hold ~290 MB alive
// while a year's workbooks are made and let the heap reach ~550 MB beside
// DuckDB's cached pages: the report of 2015 at the province (per-district
// files) peaked at 858 MiB without it and 648 MiB with it, in 5.60 s
// both. The ingest holds its own, lower limit while it runs.
const GoMemoryLimit = 400 << 20

// writerOptions are the options of the warehouse opened for writing; it
// sets GoMemoryLimit too, when no limit is set.
func (p *Pipeline) writerOptions(command string) warehouse.Options {
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(GoMemoryLimit)
	}
	limit := p.cfg.MemoryLimit
	if limit == "" {
		limit = DefaultMemoryLimit
	}
	return warehouse.Options{Command: command, MemoryLimit: limit}
}
