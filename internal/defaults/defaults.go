// Package defaults fills the unset fields of a settings struct from its
// defaults: the one way limits take their default values (etl.Limits,
// receipt.Limits).
package defaults

import "reflect"

// Fill returns v with every numeric field that is zero or negative taken
// from d, the same field of the defaults. Fields of other kinds are kept.
// T must be a struct type.
func Fill[T any](v, d T) T {
	rv := reflect.ValueOf(&v).Elem()
	rd := reflect.ValueOf(d)
	for i := range rv.NumField() {
		f := rv.Field(i)
		if !f.CanSet() {
			continue
		}
		switch f.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if f.Int() <= 0 {
				f.Set(rd.Field(i))
			}
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if f.Uint() == 0 {
				f.Set(rd.Field(i))
			}
		case reflect.Float32, reflect.Float64:
			if f.Float() <= 0 {
				f.Set(rd.Field(i))
			}
		}
	}
	return v
}
