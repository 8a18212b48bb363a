package pipeline

import "shequ/warehouse"

// DefaultMemoryLimit is the writer's DuckDB memory_limit unless
// $SHEQU_MEMORY_LIMIT (or Config.MemoryLimit) says otherwise. DuckDB's own
// default is 80 % of the machine's memory, which it fills with cached
// pages and the build's intermediate results (2.3 GiB peak on the
// province's first load, 1.4 GiB for a nightly run of 818 new rows):
// more than a bureau's shared machine should give a nightly job. Past the
// limit DuckDB spills to the warehouse's temp folder (warehouse.Files.Temp)
// instead. A Config given to New without Resolve gets it too.
const DefaultMemoryLimit = "512MB"

// writerOptions are the options of the warehouse opened for writing.
func (p *Pipeline) writerOptions(command string) warehouse.Options {
	limit := p.cfg.MemoryLimit
	if limit == "" {
		limit = DefaultMemoryLimit
	}
	return warehouse.Options{Command: command, MemoryLimit: limit}
}
