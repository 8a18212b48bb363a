// Package models owns the SQL models of the warehouse: the annotated .sql
// files under staging/, intermediate/ and marts/, the policy files under
// policy/, and everything that turns them into tables: loading and
// checking the model graph (Load), choosing models (Select), compiling a
// model to statements (Materialize), building (Build), data tests (Test)
// and documentation (WriteDocs).
//
// A model is one file holding a single SELECT below a header of
// `-- @key: value` annotations; its name is schema.stem, the schema being
// its folder. Dependencies come from the SQL itself: every `schema.name`
// it reads. The package talks to the warehouse through database/sql only,
// so the graph, the parser and the policy files build and test without cgo.
package models

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"sync"
)

//go:embed staging intermediate marts policy README.md
var embedded embed.FS

// Embedded is the project compiled into the binary: staging/,
// intermediate/, marts/ and policy/ as they were at build time.
func Embedded() fs.FS { return embedded }

// ServiceItem is one sub-item of the service catalogue (seed 000, tables
// 1–6; policy/service_catalogue.csv).
type ServiceItem struct {
	Code      string // sub-item code T.M.S, e.g. "1.1.1"
	Major     string // major item code T.M
	Table     int    // 1–6
	Category  string // basic, featured, external, party
	MajorName string
	Name      string
}

// ServiceCatalogue returns the set of service item codes (sub-items T.M.S)
// compiled into the binary, for the ingest stage to reject unknown codes.
// It is read from the same policy file the models use
// (policy/service_catalogue.csv), so there is one copy.
func ServiceCatalogue() (map[string]bool, error) {
	cat, err := embeddedCatalogue()
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(cat))
	for k := range cat {
		out[k] = true
	}
	return out, nil
}

// ServiceItems returns the service catalogue compiled into the binary by
// sub-item code, with each item's major item, table, category and names.
// Each call returns a new map.
func ServiceItems() (map[string]ServiceItem, error) {
	cat, err := embeddedCatalogue()
	if err != nil {
		return nil, err
	}
	out := make(map[string]ServiceItem, len(cat))
	for k, v := range cat {
		out[k] = v
	}
	return out, nil
}

var embeddedCatalogue = sync.OnceValues(func() (map[string]ServiceItem, error) { return serviceCatalogue(Embedded()) })

func serviceCatalogue(fsys fs.FS) (map[string]ServiceItem, error) {
	pol, err := loadDefaultPolicy(fsys, "models")
	if err != nil {
		return nil, err
	}
	t := pol.Table("service_catalogue")
	if t == nil {
		return nil, fmt.Errorf("%s: no service_catalogue table", path.Join("models", PolicyDir, PolicySchemaFile))
	}
	out := make(map[string]ServiceItem, len(t.Rows))
	for _, r := range t.Rows {
		n, _ := strconv.Atoi(r.Values["table_no"])
		it := ServiceItem{
			Code: r.Values["sub_item"], Major: r.Values["major_item"], Table: n,
			Category: r.Values["category"], MajorName: r.Values["major_name"], Name: r.Values["sub_name"],
		}
		out[it.Code] = it
	}
	return out, nil
}
