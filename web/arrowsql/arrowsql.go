// Package arrowsql turns a query's rows, as database/sql reads them from
// DuckDB, into Arrow record batches: for Arrow Flight SQL (web/flight)
// and for the analysts' Parquet downloads. Numbers keep their type
// (DECIMAL(p,s) stays a 128-bit decimal of the same precision and scale,
// never a float), dates and timestamps stay dates and timestamps; a type
// Arrow has no plain column for (a list, a struct, an interval) is written
// as the text `shequ sql` prints for it.
package arrowsql

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"shequ/queries"
)

// BatchRows is how many rows a record batch holds.
const BatchRows = 64 * 1024

// Field is the Arrow field of a DuckDB column type.
func Field(name, dbType string, nullable bool) arrow.Field {
	return arrow.Field{Name: name, Type: arrowType(dbType), Nullable: nullable}
}

func arrowType(dbType string) arrow.DataType {
	t := strings.ToUpper(strings.TrimSpace(dbType))
	if p, s, ok := decimalOf(t); ok {
		return &arrow.Decimal128Type{Precision: p, Scale: s}
	}
	switch t {
	case "BOOLEAN":
		return arrow.FixedWidthTypes.Boolean
	case "TINYINT":
		return arrow.PrimitiveTypes.Int8
	case "SMALLINT":
		return arrow.PrimitiveTypes.Int16
	case "INTEGER":
		return arrow.PrimitiveTypes.Int32
	case "BIGINT":
		return arrow.PrimitiveTypes.Int64
	case "UTINYINT":
		return arrow.PrimitiveTypes.Uint8
	case "USMALLINT":
		return arrow.PrimitiveTypes.Uint16
	case "UINTEGER":
		return arrow.PrimitiveTypes.Uint32
	case "UBIGINT":
		return arrow.PrimitiveTypes.Uint64
	case "HUGEINT":
		return &arrow.Decimal128Type{Precision: 38, Scale: 0}
	case "FLOAT", "REAL":
		return arrow.PrimitiveTypes.Float32
	case "DOUBLE":
		return arrow.PrimitiveTypes.Float64
	case "DATE":
		return arrow.FixedWidthTypes.Date32
	case "TIMESTAMP":
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case "BLOB":
		return arrow.BinaryTypes.Binary
	}
	return arrow.BinaryTypes.String
}

// decimalOf reads DECIMAL(p,s).
func decimalOf(t string) (int32, int32, bool) {
	t = strings.ReplaceAll(t, " ", "")
	if !strings.HasPrefix(t, "DECIMAL(") || !strings.HasSuffix(t, ")") {
		return 0, 0, false
	}
	ps, ss, ok := strings.Cut(t[len("DECIMAL("):len(t)-1], ",")
	p, err1 := strconv.Atoi(ps)
	s, err2 := strconv.Atoi(ss)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return int32(p), int32(s), true
}

// Schema is the Arrow schema of a result's columns.
func Schema(cols []*sql.ColumnType) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = Field(c.Name(), c.DatabaseTypeName(), true)
	}
	return arrow.NewSchema(fields, nil)
}

// Reader reads *sql.Rows as record batches of BatchRows rows. It closes
// the rows when it is released or has read them all.
type Reader struct {
	refs   atomic.Int64
	rows   *sql.Rows
	schema *arrow.Schema
	types  []string
	b      *array.RecordBuilder
	cur    arrow.RecordBatch
	err    error
	done   bool
	vals   []any
	ptrs   []any
	n      int64 // rows read
}

var _ array.RecordReader = (*Reader)(nil)

// NewReader reads rows.
func NewReader(mem memory.Allocator, rows *sql.Rows) (*Reader, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		rows.Close()
		return nil, err
	}
	r := &Reader{rows: rows, schema: Schema(cols)}
	for _, c := range cols {
		r.types = append(r.types, c.DatabaseTypeName())
	}
	r.refs.Store(1)
	r.b = array.NewRecordBuilder(mem, r.schema)
	r.vals = make([]any, len(cols))
	r.ptrs = make([]any, len(cols))
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	return r, nil
}

// Rows is how many rows were read so far.
func (r *Reader) Rows() int64 { return r.n }

func (r *Reader) Retain() { r.refs.Add(1) }

func (r *Reader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.b.Release()
		r.rows.Close()
	}
}

func (r *Reader) Schema() *arrow.Schema { return r.schema }

func (r *Reader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch.
//
// Deprecated: use RecordBatch.
func (r *Reader) Record() arrow.RecordBatch { return r.cur }

func (r *Reader) Err() error { return r.err }

// Next reads the next batch.
func (r *Reader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done || r.err != nil {
		return false
	}
	n := 0
	for n < BatchRows && r.rows.Next() {
		if err := r.rows.Scan(r.ptrs...); err != nil {
			r.err = err
			return false
		}
		for i, v := range r.vals {
			if err := appendValue(r.b.Field(i), v, r.types[i]); err != nil {
				r.err = fmt.Errorf("column %s: %w", r.schema.Field(i).Name, err)
				return false
			}
		}
		n++
	}
	if n < BatchRows {
		r.done = true
		if err := r.rows.Err(); err != nil {
			r.err = err
			return false
		}
		r.rows.Close()
	}
	if n == 0 {
		return false
	}
	r.n += int64(n)
	r.cur = r.b.NewRecordBatch()
	return true
}

var errType = errors.New("unexpected value")

// appendValue appends a value database/sql scanned from DuckDB.
func appendValue(b array.Builder, v any, dbType string) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return errType
		}
		b.Append(x)
	case *array.Int8Builder:
		b.Append(int8(asInt(v)))
	case *array.Int16Builder:
		b.Append(int16(asInt(v)))
	case *array.Int32Builder:
		b.Append(int32(asInt(v)))
	case *array.Int64Builder:
		b.Append(asInt(v))
	case *array.Uint8Builder:
		b.Append(uint8(asUint(v)))
	case *array.Uint16Builder:
		b.Append(uint16(asUint(v)))
	case *array.Uint32Builder:
		b.Append(uint32(asUint(v)))
	case *array.Uint64Builder:
		b.Append(asUint(v))
	case *array.Float32Builder:
		switch x := v.(type) {
		case float32:
			b.Append(x)
		case float64:
			b.Append(float32(x))
		default:
			return errType
		}
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			b.Append(x)
		case float32:
			b.Append(float64(x))
		default:
			return errType
		}
	case *array.Decimal128Builder:
		d, err := asDecimal(v, b.Type().(*arrow.Decimal128Type))
		if err != nil {
			return err
		}
		b.Append(d)
	case *array.Date32Builder:
		t, ok := v.(time.Time)
		if !ok {
			return errType
		}
		b.Append(arrow.Date32FromTime(t))
	case *array.TimestampBuilder:
		t, ok := v.(time.Time)
		if !ok {
			return errType
		}
		b.Append(arrow.Timestamp(t.UnixMicro()))
	case *array.BinaryBuilder:
		x, ok := v.([]byte)
		if !ok {
			return errType
		}
		b.Append(x)
	case *array.StringBuilder:
		if s, ok := v.(string); ok {
			b.Append(s)
		} else {
			b.Append(queries.FormatValue(v, dbType))
		}
	default:
		return fmt.Errorf("no builder for %T", b)
	}
	return nil
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	}
	return 0
}

func asUint(v any) uint64 {
	switch x := v.(type) {
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case uint64:
		return x
	}
	return uint64(asInt(v))
}

// asDecimal reads a DECIMAL as duckdb-go gives it (a struct with the
// unscaled Value and its Scale) or a HUGEINT (*big.Int), exactly.
func asDecimal(v any, t *arrow.Decimal128Type) (decimal128.Num, error) {
	if bi, ok := v.(*big.Int); ok {
		return decimal128.FromBigInt(bi), nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Struct {
		val, scale := rv.FieldByName("Value"), rv.FieldByName("Scale")
		if val.IsValid() && scale.IsValid() && scale.CanUint() {
			if bi, ok := val.Interface().(*big.Int); ok && bi != nil && int32(scale.Uint()) == t.Scale {
				return decimal128.FromBigInt(bi), nil
			}
		}
	}
	s := fmt.Sprint(v)
	return decimal128.FromString(s, t.Precision, t.Scale)
}

// WriteParquet writes every batch of rr to w as a Parquet file (zstd,
// the Arrow schema stored with it).
func WriteParquet(w io.Writer, rr array.RecordReader) error {
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithAllocator(memory.DefaultAllocator))
	fw, err := pqarrow.NewFileWriter(rr.Schema(), w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return err
	}
	for rr.Next() {
		if err := fw.WriteBuffered(rr.RecordBatch()); err != nil {
			fw.Close()
			return err
		}
	}
	if err := rr.Err(); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

// Text writes the value at row i of a column as `shequ sql --format csv`
// writes it: NULL as "", decimals with their scale, dates 2006-01-02,
// timestamps 2006-01-02 15:04:05.999999, doubles shortest.
func Text(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return ""
	}
	switch a := col.(type) {
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Uint8:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint16:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint32:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10)
	case *array.Float32:
		return queries.FormatValue(a.Value(i), "FLOAT")
	case *array.Float64:
		return queries.FormatValue(a.Value(i), "DOUBLE")
	case *array.Decimal128:
		t := a.DataType().(*arrow.Decimal128Type)
		return decimalText(a.Value(i), t.Scale)
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02")
	case *array.Timestamp:
		t := time.UnixMicro(int64(a.Value(i))).UTC()
		if a.DataType().(*arrow.TimestampType).TimeZone != "" {
			return queries.FormatValue(t, "TIMESTAMPTZ")
		}
		return queries.FormatValue(t, "TIMESTAMP")
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return string(a.Value(i))
	}
	return col.ValueStr(i)
}

// decimalText writes an unscaled decimal with scale digits after the
// point.
func decimalText(n decimal128.Num, scale int32) string {
	bi := n.BigInt()
	neg := bi.Sign() < 0
	s := new(big.Int).Abs(bi).String()
	if scale > 0 {
		if len(s) <= int(scale) {
			s = strings.Repeat("0", int(scale)-len(s)+1) + s
		}
		s = s[:len(s)-int(scale)] + "." + s[len(s)-int(scale):]
	}
	if neg {
		s = "-" + s
	}
	return s
}
