package main

import (
	"context"

	"shequ/warehouse"
)

// publish is called after every successful build, while the writer still
// holds the warehouse: the read-only side (issue #7) hooks in here.
func (e *env) publish(ctx context.Context, w *warehouse.Warehouse) error { return nil }
