package main

import (
	"context"
	"database/sql"

	"shequ/warehouse"
)

// openRead opens the warehouse for reading only.
func (e *env) openRead(ctx context.Context) (*sql.DB, func(), error) {
	w, err := warehouse.Open(ctx, e.warehouse, warehouse.Options{ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	return w.DB, func() { w.Close() }, nil
}
