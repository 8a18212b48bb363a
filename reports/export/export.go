// Package export writes every mart for machines: as CSV (UTF-8 with a byte
// order mark, so Excel reads the Chinese right) and as Parquet (DuckDB's
// COPY), Hive-partitioned by year (csv/<mart>/year=2014/<mart>.csv), with a
// manifest of every file (rows, SHA-256) and the warehouse state it came
// from. The export is written to a temporary folder beside the target and
// renamed into place, so a reader never sees half of one; its files hold
// no time of writing, so the same warehouse state gives the same bytes. A
// file whose rows have not changed since the last export (its fingerprint
// in the manifest) is linked from that export instead of written again, so
// a nightly run that changed one year rewrites that year's files only.
//
// A mart is read whole (SELECT * FROM marts.<name>) unless the reports'
// sql/ folder has export_<name>.sql, which then says what is exported
// (export_rejects.sql blanks the values of personal columns). A query that
// reads a personal column (reports.PersonalColumns) is refused.
//
// A CSV text cell that a spreadsheet would take for a formula (=, +, -, @,
// tab or CR first) is written with a ' in front (internal/csvsafe);
// numbers are written as they are. The export is for everyone on the
// machine: its files are 0644 and its folders 0755, whatever the umask.
package export

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"shequ/internal/atomic"
	"shequ/internal/csvsafe"
	"shequ/internal/digest"
	"shequ/internal/sqlrows"
	"shequ/reports"
)

// ManifestFile is the name of the manifest in the export folder.
const ManifestFile = "manifest.json"

// Manifest lists the files of an export and the state they came from.
type Manifest struct {
	State State  `json:"state"`
	Files []File `json:"files"`
	// Kept are the files taken unchanged from the earlier export.
	Kept []string `json:"-"`
}

// State is the warehouse state of an export (reports.Stamp without times
// of writing).
type State struct {
	RunID        int64                `json:"run_id"`
	BuiltAt      string               `json:"built_at"`
	DataAsOf     string               `json:"data_as_of"`
	PolicyDigest string               `json:"policy_digest"`
	Policy       []reports.PolicyFile `json:"policy"`
	InputDigest  string               `json:"input_digest"`
	Inputs       []reports.InputFile  `json:"inputs"`
}

// File is one exported file.
type File struct {
	File   string `json:"file"` // path inside the export folder, /-separated
	Mart   string `json:"mart"`
	Format string `json:"format"`         // csv or parquet
	Year   *int64 `json:"year,omitempty"` // the partition; absent for marts without a year
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
	// Fingerprint is of the rows the file was written from (the export
	// query, the columns and their types, the count and an
	// order-independent hash of the rows): a file whose fingerprint has not
	// changed since the last export is kept, not written again.
	Fingerprint string `json:"fingerprint"`
}

// Options say what to export and where.
type Options struct {
	// Dir is the export folder (out/exports); it is replaced as a whole.
	Dir string
	// Queries holds the override queries (the reports' sql/ folder).
	Queries *reports.Set
	// Stamp is the warehouse state; read from the database when nil.
	Stamp *reports.Stamp
	// Marts limits the export to these marts; empty exports every table
	// of schema marts.
	Marts []string
	// From names the relation a mart is read from (official.<mart>: the
	// closed years' official figures); nil reads marts.<mart>.
	From func(mart string) string
}

// Write exports the marts into o.Dir and returns the manifest.
func Write(ctx context.Context, db *sql.DB, o Options) (*Manifest, error) {
	if o.Dir == "" {
		return nil, errors.New("export: no folder given")
	}
	stamp := o.Stamp
	if stamp == nil {
		var err error
		if stamp, err = reports.ReadStamp(ctx, db); err != nil {
			return nil, err
		}
	}
	marts := o.Marts
	if len(marts) == 0 {
		var err error
		if marts, err = listMarts(ctx, db); err != nil {
			return nil, err
		}
	}
	// Written beside the earlier export and put in its place as a whole.
	st, err := atomic.StageDir(o.Dir, false)
	if err != nil {
		return nil, err
	}
	defer st.Abort()
	tmp := st.Path
	m := &Manifest{State: State{
		RunID: stamp.RunID, BuiltAt: stamp.BuiltAt.UTC().Format("2006-01-02T15:04:05Z"),
		DataAsOf: stamp.DataAsOf.UTC().Format("2006-01-02T15:04:05Z"), PolicyDigest: stamp.PolicyDigest, Policy: stamp.Policy,
		InputDigest: stamp.InputDigest, Inputs: stamp.Inputs,
	}}
	x := &exporter{db: db, queries: o.Queries, root: tmp, prevDir: o.Dir, prev: readManifest(o.Dir), from: o.From}
	// The Parquet files are DuckDB's: another DuckDB writes them anew.
	if err := db.QueryRowContext(ctx, "SELECT version()").Scan(&x.engine); err != nil {
		return nil, err
	}
	for _, mart := range marts {
		files, err := x.mart(ctx, mart)
		if err != nil {
			return nil, fmt.Errorf("export marts.%s: %w", mart, err)
		}
		m.Files = append(m.Files, files...)
	}
	m.Kept = x.kept
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].File < m.Files[j].File })
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ManifestFile), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := finishTree(tmp); err != nil {
		return nil, err
	}
	if err := st.Commit(); err != nil {
		return nil, err
	}
	return m, nil
}

// finishTree gives every folder of the export mode 0755 and every file
// 0644 (the files DuckDB writes, and the folder MkdirTemp made 0700, would
// otherwise have what the umask leaves), and flushes every file to disk
// before the rename.
func finishTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, atomic.PublicDir)
		}
		if err := os.Chmod(p, atomic.Public); err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

func listMarts(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'marts' ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("list the marts: %w", err)
	}
	out, err := sqlrows.Column[string](rows)
	if len(out) == 0 && err == nil {
		return nil, errors.New("export: the warehouse has no marts; run `shequ build` first")
	}
	return out, err
}

func quoteIdent(s string) string  { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// fingerprintVersion changes whenever shequ would write other bytes for
// the same rows (the files' format): every file is then written again.
// 2: CSV text cells that start like a formula are escaped.
const fingerprintVersion = "2"

// An exporter writes the files of one export under root, keeping the
// files of the earlier export in prevDir whose rows have not changed.
type exporter struct {
	db      *sql.DB
	queries *reports.Set
	root    string
	prevDir string
	prev    map[string]File // the earlier manifest's files, by path
	kept    []string
	engine  string // DuckDB's version
	from    func(mart string) string
}

// readManifest reads the files of the export in dir (none if there is
// none or it cannot be read).
func readManifest(dir string) map[string]File {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil
	}
	var m Manifest
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	out := map[string]File{}
	for _, f := range m.Files {
		out[f.File] = f
	}
	return out
}

// mart writes one mart's CSV and Parquet files.
func (x *exporter) mart(ctx context.Context, mart string) ([]File, error) {
	query := "SELECT * FROM marts." + quoteIdent(mart)
	if x.from != nil {
		query = "SELECT * FROM " + x.from(mart)
	}
	if x.queries != nil {
		if q, err := x.queries.SQL("export_" + mart + ".sql"); err == nil {
			query = q
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	cols, types, err := columns(ctx, x.db, query)
	if err != nil {
		return nil, err
	}
	partitioned := false
	for _, c := range cols {
		if reportsPersonal(c) {
			return nil, fmt.Errorf("the export reads %s, which is personal data (DOMAIN.md §5); add sql/export_%s.sql without it", c, mart)
		}
		if c == "year" {
			partitioned = true
		}
	}
	src := "(\n" + query + "\n) AS t"
	parts, err := partitions(ctx, x.db, src, partitioned)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, pt := range parts {
		fp := sha256.Sum256([]byte(strings.Join([]string{fingerprintVersion, x.engine, query,
			strings.Join(cols, "\x1f"), strings.Join(types, "\x1f"), pt.count, pt.hash}, "\x00")))
		files, err := x.part(ctx, mart, src, pt, hex.EncodeToString(fp[:16]))
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

// A partition is one year of a mart (or all of a mart without a year),
// with the count and the order-independent hash of its rows.
type partition struct {
	year        *int64
	all         bool // the mart has no year column
	count, hash string
}

func partitions(ctx context.Context, db *sql.DB, src string, partitioned bool) ([]partition, error) {
	q := `SELECT NULL::BIGINT, count(*)::VARCHAR, coalesce(sum(hash(t)), 0)::VARCHAR FROM ` + src
	if partitioned {
		q = `SELECT CAST("year" AS BIGINT) AS y, count(*)::VARCHAR, sum(hash(t))::VARCHAR FROM ` + src +
			` GROUP BY y ORDER BY y NULLS LAST`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return sqlrows.All(rows, func(pt *partition) []any {
		pt.all = !partitioned
		return []any{&pt.year, &pt.count, &pt.hash}
	})
}

func reportsPersonal(c string) bool {
	for _, p := range reports.PersonalColumns {
		if strings.EqualFold(c, p) {
			return true
		}
	}
	return false
}

// columns gives the names and the database types of a query's columns.
func columns(ctx context.Context, db *sql.DB, q string) (names, types []string, err error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM (\n"+q+"\n) AS t LIMIT 0")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	if names, err = rows.Columns(); err != nil {
		return nil, nil, err
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	for _, ct := range cts {
		types = append(types, ct.DatabaseTypeName())
	}
	return names, types, nil
}

// part writes a partition as csv/<mart>/<dir>/<mart>.csv and
// parquet/<mart>/<dir>/<mart>.parquet, without the partition column,
// sorted by every column; or, where the earlier export has the file with
// the same fingerprint and it is unchanged on disk, links it over.
func (x *exporter) part(ctx context.Context, mart, src string, pt partition, fp string) ([]File, error) {
	if pt.all {
		return x.write(ctx, mart, "SELECT * FROM "+src, "", nil, fp)
	}
	dir, where := "year=__HIVE_DEFAULT_PARTITION__", `"year" IS NULL`
	if pt.year != nil {
		dir, where = fmt.Sprintf("year=%d", *pt.year), fmt.Sprintf(`"year" = %d`, *pt.year)
	}
	return x.write(ctx, mart, "SELECT * EXCLUDE (\"year\") FROM "+src+" WHERE "+where, dir, pt.year, fp)
}

func (x *exporter) write(ctx context.Context, mart, sel, dir string, year *int64, fp string) ([]File, error) {
	sel += " ORDER BY ALL NULLS LAST"
	var out []File
	for _, format := range []string{"csv", "parquet"} {
		rel := path.Join(format, mart, dir, mart+"."+format)
		full := filepath.Join(x.root, filepath.FromSlash(rel))
		if err := atomic.MkdirAll(filepath.Dir(full), atomic.PublicDir); err != nil {
			return nil, err
		}
		if f, ok := x.keep(rel, full, fp); ok {
			out = append(out, f)
			continue
		}
		var rows int64
		var err error
		if format == "csv" {
			rows, err = writeCSV(ctx, x.db, sel, full)
		} else {
			rows, err = writeParquet(ctx, x.db, sel, full)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		sum, err := digest.File(full)
		if err != nil {
			return nil, err
		}
		out = append(out, File{File: rel, Mart: mart, Format: format, Year: year, Rows: rows, SHA256: sum, Fingerprint: fp})
	}
	return out, nil
}

// keep links the earlier export's file rel to full when its fingerprint
// is fp and its bytes are still those its manifest records.
func (x *exporter) keep(rel, full, fp string) (File, bool) {
	f, ok := x.prev[rel]
	if !ok || f.Fingerprint != fp {
		return File{}, false
	}
	old := filepath.Join(x.prevDir, filepath.FromSlash(rel))
	if sum, err := digest.File(old); err != nil || sum != f.SHA256 {
		return File{}, false
	}
	if err := os.Link(old, full); err != nil {
		return File{}, false
	}
	x.kept = append(x.kept, rel)
	return f, true
}

// writeCSV writes the rows of a query as UTF-8 CSV with a byte order mark,
// CRLF line ends and a header of the column names; text that starts like
// a formula is escaped (csvsafe.Text), numbers are not.
func writeCSV(ctx context.Context, db *sql.DB, q, file string) (int64, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	f, err := os.Create(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	bw.WriteString("\uFEFF")
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(cols); err != nil {
		return 0, err
	}
	var n int64
	rec := make([]string, len(cols))
	err = sqlrows.Each(rows, func(raw []any) error {
		for i, v := range raw {
			val, err := reports.Normalize(v, types[i].DatabaseTypeName())
			if err != nil {
				return fmt.Errorf("column %s: %w", cols[i], err)
			}
			rec[i] = reports.Machine(val)
			if _, text := val.(string); text {
				rec[i] = csvsafe.Text(rec[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, err
	}
	return n, f.Close()
}

// writeParquet has DuckDB write the rows of a query as a Parquet file.
func writeParquet(ctx context.Context, db *sql.DB, q, file string) (int64, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return 0, err
	}
	res, err := db.ExecContext(ctx, "COPY ("+q+") TO "+quoteString(filepath.ToSlash(abs))+" (FORMAT parquet, COMPRESSION zstd)")
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
