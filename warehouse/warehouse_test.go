package warehouse

import (
	"context"
	"database/sql/driver"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shequ/internal/decimal"
)

func tempWarehouse(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "w.duckdb")
}

func TestMigrateEmptyAndAgain(t *testing.T) {
	ctx := context.Background()
	path := tempWarehouse(t)
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(ctx, path, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Version(ctx, w.DB)
	if err != nil || v != len(ms) {
		t.Fatalf("version after first open = %d, %v; want %d", v, err, len(ms))
	}
	var schemas string
	if err := w.DB.QueryRow(`SELECT string_agg(schema_name, ',' ORDER BY schema_name) FROM information_schema.schemata
		WHERE schema_name IN ('raw','staging','intermediate','marts','policy','ops')`).Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if want := "intermediate,marts,ops,policy,raw,staging"; schemas != want {
		t.Errorf("schemas = %q, want %q", schemas, want)
	}
	if _, err := w.DB.Exec(`INSERT INTO raw.rejects (submission_id, file, sheet, "row", "column", header, letter, value, severity, code, message, message_zh) VALUES (1,'f','',2,'c','h','A','v','error','x','m','zh')`); err != nil {
		t.Fatal(err)
	}
	w.Close()

	// Opening an already-migrated file applies nothing and keeps the data.
	w, err = Open(ctx, path, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var applied, rejects int
	w.DB.QueryRow(`SELECT count(*) FROM ops.schema_migrations`).Scan(&applied)
	w.DB.QueryRow(`SELECT count(*) FROM raw.rejects`).Scan(&rejects)
	if applied != len(ms) || rejects != 1 {
		t.Errorf("after reopen: %d migrations recorded, %d rejects; want %d and 1", applied, rejects, len(ms))
	}
}

func TestSecondWriterNamesHolder(t *testing.T) {
	ctx := context.Background()
	path := tempWarehouse(t)
	w, err := Open(ctx, path, Options{Command: "shequ ingest"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = Open(ctx, path, Options{Command: "shequ build"})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second writer: err = %v, want *LockedError", err)
	}
	if le.Holder.PID != os.Getpid() || le.Holder.Command != "shequ ingest" || time.Since(le.Holder.Since) > time.Minute {
		t.Errorf("holder = %+v, want this pid running shequ ingest", le.Holder)
	}
	for _, want := range []string{"being written by pid", "shequ ingest", "正被进程"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	w.Close()
	// Released: a new writer gets in.
	w2, err := Open(ctx, path, Options{Command: "shequ build"})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	w2.Close()
}

// openWith opens a new warehouse and runs a statement in it.
func openWith(t *testing.T, stmt string) *Warehouse {
	t.Helper()
	w, err := Open(context.Background(), tempWarehouse(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.DB.Exec(stmt); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestAppenderDecimalIsExactAndTransactional(t *testing.T) {
	ctx := context.Background()
	w := openWith(t, `CREATE TABLE raw.money (amount DECIMAL(18,2), score DECIMAL(9,4), d DATE)`)
	load := func(commit bool, coefs ...int64) {
		tx, err := w.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a, err := tx.Appender(ctx, "raw", "money")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range coefs {
			if err := a.Append(decimal.Dec{Coef: c, Scale: 2}, decimal.Dec{Coef: 704999, Scale: 4}, time.Date(2014, 3, 1, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	load(false, 100)
	load(true, 12345, 82100000, -1)
	var got string
	if err := w.DB.QueryRow(`SELECT string_agg(amount::VARCHAR || '/' || score::VARCHAR || '/' || d::VARCHAR, ' ' ORDER BY amount) FROM raw.money`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "-0.01/70.4999/2014-03-01 123.45/70.4999/2014-03-01 821000.00/70.4999/2014-03-01"; got != want {
		t.Errorf("loaded %q, want %q (rolled-back row must be absent)", got, want)
	}
}

// A Dec goes in at its column's scale whatever its own, and one with more
// fraction digits than the column keeps, or in a column that is not
// DECIMAL, is refused rather than rounded or stored unscaled.
func TestAppenderDecimalAtColumnScale(t *testing.T) {
	ctx := context.Background()
	w := openWith(t, `CREATE TABLE raw.money2 (n INTEGER, amount DECIMAL(18,2))`)
	tx, err := w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	a, err := tx.Appender(ctx, "raw", "money2")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []decimal.Dec{{Coef: 15, Scale: 1}, {Coef: 8210, Scale: -2}, {Coef: 123400, Scale: 4}} {
		if err := a.Append(int32(1), d); err != nil {
			t.Fatalf("Append(%s): %v", d, err)
		}
	}
	for _, vals := range [][]driver.Value{{int32(2), decimal.Dec{Coef: 12345, Scale: 3}}, {decimal.Dec{Coef: 1}, decimal.Dec{Coef: 1}}} {
		if err := a.Append(vals...); err == nil {
			t.Errorf("Append(%v) was not refused", vals)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := tx.QueryRow(ctx, `SELECT string_agg(amount::VARCHAR, ' ' ORDER BY amount) FROM raw.money2`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "1.50 12.34 821000.00"; got != want {
		t.Errorf("loaded %q, want %q", got, want)
	}
}
