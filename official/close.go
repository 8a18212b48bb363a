package official

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"shequ/internal/atomic"
	"shequ/models"
)

// Kinds of version.
const (
	KindClose   = "close"
	KindRestate = "restate"
)

// Version is one frozen version of a year (closed.versions).
type Version struct {
	Year, Version    int
	Kind             string
	By               string
	At               time.Time
	Note             string
	PolicyVersion    int
	PolicyDigest     string
	InputDigest      string
	Inputs           int
	MartRows         int64
	MartsFingerprint string
	Fingerprint      string
	BuildRunID       int64
}

// SignOff is the line a report of the version carries.
func (v *Version) SignOff() string {
	return fmt.Sprintf("正式版本 第%d版 · %s 于 %s 签发", v.Version, v.By, v.At.In(Zone).Format("2006年1月2日 15:04"))
}

// Zone is the time zone sign-offs are written in.
var Zone = func() *time.Location {
	if z, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return z
	}
	return time.FixedZone("CST", 8*3600)
}()

const versionColumns = `year, version, kind, signed_by, signed_at, note, policy_version, policy_digest, input_digest,
	inputs, mart_rows, marts_fingerprint, fingerprint, coalesce(build_run_id, 0)`

func scanVersion(s interface{ Scan(...any) error }) (*Version, error) {
	v := &Version{}
	err := s.Scan(&v.Year, &v.Version, &v.Kind, &v.By, &v.At, &v.Note, &v.PolicyVersion, &v.PolicyDigest, &v.InputDigest,
		&v.Inputs, &v.MartRows, &v.MartsFingerprint, &v.Fingerprint, &v.BuildRunID)
	v.At = v.At.UTC()
	return v, err
}

// Versions lists the versions of a year (every year when year is 0),
// oldest first.
func Versions(ctx context.Context, q Querier, year int) ([]*Version, error) {
	ok, err := hasTable(ctx, q, "closed", "versions")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+versionColumns+` FROM closed.versions WHERE ? = 0 OR year = ? ORDER BY year, version`, year, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Current returns the official version of a year: its highest; nil when
// the year is open.
func Current(ctx context.Context, q Querier, year int) (*Version, error) {
	vs, err := Versions(ctx, q, year)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return vs[len(vs)-1], nil
}

// ClosedYears lists the closed years with their official versions.
func ClosedYears(ctx context.Context, q Querier) (map[int]*Version, error) {
	vs, err := Versions(ctx, q, 0)
	if err != nil {
		return nil, err
	}
	out := map[int]*Version{}
	for _, v := range vs {
		out[v.Year] = v
	}
	return out, nil
}

// File is a file kept with a version: its path in the reports folder
// (/-separated) and its bytes.
type File struct {
	Path string
	Kind string // report | delta
	Data []byte
}

// SHA256 is the file's SHA-256 in hex.
func (f File) SHA256() string {
	h := sha256.Sum256(f.Data)
	return hex.EncodeToString(h[:])
}

// Freeze is what a close or a restatement keeps.
type Freeze struct {
	Year int
	Kind string // close | restate
	By   string
	Note string // the close's note, the restatement's reason
	At   time.Time
	// Version is the version the freeze makes: 1 for a close, one more
	// than the year's highest for a restatement (checked in the
	// transaction).
	Version       int
	PolicyVersion int
	PolicyDigest  string
	BuildRunID    int64
	Files         []File
	Delta         *Delta // the rows that changed (a restatement)
	// Progress, when set, is told each step of the transaction.
	Progress func(step string)
}

// Errors of a close.
var (
	ErrClosed = errors.New("the year is closed")
	ErrOpen   = errors.New("the year is not closed")
)

// Commit keeps a version of a year in one transaction: the version row,
// the inputs that counted, the policy tables in force, every mart row of
// the year, the report files and (for a restatement) the rows that
// changed, with their fingerprints; and remakes the official views. A
// process killed at any moment leaves the year as it was or with the new
// version complete.
func Commit(ctx context.Context, db *sql.DB, pr *models.Project, f Freeze) (v *Version, err error) {
	step := func(s string) {
		if f.Progress != nil {
			f.Progress(s)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	step("begin")
	var have sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT max(version) FROM closed.versions WHERE year = ?`, f.Year).Scan(&have); err != nil {
		return nil, err
	}
	switch {
	case f.Kind == KindClose && have.Valid:
		return nil, fmt.Errorf("%d: %w (version %d): to change its figures, restate it (shequ restate --year %d)", f.Year, ErrClosed, have.Int64, f.Year)
	case f.Kind == KindRestate && !have.Valid:
		return nil, fmt.Errorf("%d: %w: close it first (shequ close --year %d)", f.Year, ErrOpen, f.Year)
	case int(have.Int64)+1 != f.Version:
		return nil, fmt.Errorf("%d: version %d was made meanwhile; try again", f.Year, have.Int64+1)
	}
	marts, err := YearMarts(ctx, conn, pr)
	if err != nil {
		return nil, err
	}
	if err := ensureClosedTables(ctx, conn, marts); err != nil {
		return nil, err
	}
	var rowsTotal int64
	for _, m := range marts {
		step("marts." + m.Name)
		res, err := conn.ExecContext(ctx, fmt.Sprintf(`INSERT INTO closed.%[1]s BY NAME SELECT CAST(? AS INTEGER) AS version, * FROM marts.%[1]s WHERE year = ?`,
			quoteIdent(m.Name)), f.Version, f.Year)
		if err != nil {
			return nil, fmt.Errorf("freeze marts.%s: %w", m.Name, err)
		}
		n, _ := res.RowsAffected()
		rowsTotal += n
	}
	if rowsTotal == 0 {
		return nil, fmt.Errorf("%d has no mart rows: nothing to close (ingest and build first)", f.Year)
	}
	step("inputs")
	if _, err := conn.ExecContext(ctx, `INSERT INTO closed.inputs
		SELECT ?, ?, s.submission_id, s.file, s.sha256, s.received_at, s.district
		FROM marts.submissions s
		WHERE s.submission_id IN (SELECT submission_id FROM intermediate.lineage WHERE year = ?)`, f.Year, f.Version, f.Year); err != nil {
		return nil, fmt.Errorf("freeze the inputs: %w", err)
	}
	step("policy")
	ptables, err := policyTables(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, t := range ptables {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`INSERT INTO closed.policy SELECT ?, ?, ?, CAST(to_json(t) AS VARCHAR) FROM policy.%s t`, quoteIdent(t)),
			f.Year, f.Version, t); err != nil {
			return nil, fmt.Errorf("freeze policy.%s: %w", t, err)
		}
	}
	step("files")
	for _, file := range f.Files {
		if _, err := conn.ExecContext(ctx, `INSERT INTO closed.files VALUES (?, ?, ?, ?, ?, ?)`,
			f.Year, f.Version, file.Path, file.Kind, file.SHA256(), file.Data); err != nil {
			return nil, fmt.Errorf("keep %s: %w", file.Path, err)
		}
	}
	if f.Delta != nil {
		step("changes")
		if err := insertChanges(ctx, conn, f.Year, f.Version, f.Delta); err != nil {
			return nil, err
		}
	}
	step("fingerprint")
	v = &Version{Year: f.Year, Version: f.Version, Kind: f.Kind, By: f.By, At: f.At.UTC().Truncate(time.Microsecond), Note: f.Note,
		PolicyVersion: f.PolicyVersion, PolicyDigest: f.PolicyDigest, MartRows: rowsTotal, BuildRunID: f.BuildRunID}
	if v.MartsFingerprint, _, err = MartsFingerprint(ctx, conn, marts, f.Year, f.Version); err != nil {
		return nil, err
	}
	if v.InputDigest, v.Inputs, err = inputDigest(ctx, conn, f.Year, f.Version); err != nil {
		return nil, err
	}
	if v.Fingerprint, err = fingerprint(ctx, conn, v); err != nil {
		return nil, err
	}
	var run any
	if v.BuildRunID != 0 {
		run = v.BuildRunID
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO closed.versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.Year, v.Version, v.Kind, v.By, v.At, v.Note, v.PolicyVersion, v.PolicyDigest, v.InputDigest, v.Inputs, v.MartRows,
		v.MartsFingerprint, v.Fingerprint, run); err != nil {
		return nil, fmt.Errorf("record the version: %w", err)
	}
	step("views")
	if err := RefreshViews(ctx, conn); err != nil {
		return nil, err
	}
	step("commit")
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return v, nil
}

func policyTables(ctx context.Context, q Querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'policy' ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MartsFingerprint is the SHA-256 of the rows of a version of a year,
// mart by mart in name order, each row as DuckDB writes it as text, in
// sorted order; with the number of rows.
func MartsFingerprint(ctx context.Context, q Querier, marts []Mart, year, version int) (string, int64, error) {
	h := sha256.New()
	var n int64
	sorted := append([]Mart(nil), marts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, m := range sorted {
		cols := make([]string, len(m.Columns))
		for i, c := range m.Columns {
			cols[i] = quoteIdent(c)
		}
		rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT CAST(t AS VARCHAR) AS r FROM (SELECT %s FROM closed.%s WHERE year = ? AND version = ?) t ORDER BY r`,
			strings.Join(cols, ", "), quoteIdent(m.Name)), year, version)
		if err != nil {
			return "", 0, fmt.Errorf("fingerprint closed.%s: %w", m.Name, err)
		}
		first := true
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return "", 0, err
			}
			if first {
				io.WriteString(h, "marts."+m.Name+"\n")
				first = false
			}
			io.WriteString(h, r+"\n")
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", 0, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// inputDigest is the SHA-256 of the version's inputs (file and SHA-256,
// by submission id), with their number.
func inputDigest(ctx context.Context, q Querier, year, version int) (string, int, error) {
	rows, err := q.QueryContext(ctx, `SELECT submission_id, file, sha256 FROM closed.inputs WHERE year = ? AND version = ? ORDER BY submission_id`, year, version)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var id int64
		var file, sum string
		if err := rows.Scan(&id, &file, &sum); err != nil {
			return "", 0, err
		}
		fmt.Fprintf(h, "%d\t%s\t%s\n", id, file, sum)
		n++
	}
	return hex.EncodeToString(h.Sum(nil)), n, rows.Err()
}

// fingerprint is the SHA-256 of everything a version holds: its rows'
// fingerprint, its inputs, its policy rows, its files and its sign-off.
func fingerprint(ctx context.Context, q Querier, v *Version) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "year %d version %d %s\nsigned %s %s\n%s\nrows %s %d\ninputs %s %d\npolicy %d %s\n",
		v.Year, v.Version, v.Kind, v.By, v.At.UTC().Format(time.RFC3339Nano), v.Note,
		v.MartsFingerprint, v.MartRows, v.InputDigest, v.Inputs, v.PolicyVersion, v.PolicyDigest)
	for _, part := range []string{
		`SELECT policy_table || '	' || row_json FROM closed.policy WHERE year = ? AND version = ? ORDER BY 1`,
		`SELECT path || '	' || kind || '	' || sha256 FROM closed.files WHERE year = ? AND version = ? ORDER BY 1`,
	} {
		rows, err := q.QueryContext(ctx, part, v.Year, v.Version)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return "", err
			}
			io.WriteString(h, s+"\n")
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Files reads the files kept with a version, in path order.
func Files(ctx context.Context, q Querier, year, version int) ([]File, error) {
	rows, err := q.QueryContext(ctx, `SELECT path, kind, bytes, sha256 FROM closed.files WHERE year = ? AND version = ? ORDER BY path`, year, version)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		var sum string
		if err := rows.Scan(&f.Path, &f.Kind, &f.Data, &sum); err != nil {
			return nil, err
		}
		if f.SHA256() != sum {
			return nil, fmt.Errorf("closed %d version %d: %s does not match its SHA-256", year, version, f.Path)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Verify recomputes a version's fingerprints from what the warehouse
// keeps of it and says whether they are those recorded at its close.
func Verify(ctx context.Context, q Querier, pr *models.Project, year, version int) (*Version, error) {
	vs, err := Versions(ctx, q, year)
	if err != nil {
		return nil, err
	}
	var v *Version
	for _, x := range vs {
		if x.Version == version {
			v = x
		}
	}
	if v == nil {
		return nil, fmt.Errorf("%d has no version %d", year, version)
	}
	marts, err := closedMarts(ctx, q, pr)
	if err != nil {
		return nil, err
	}
	fp, n, err := MartsFingerprint(ctx, q, marts, year, version)
	if err != nil {
		return nil, err
	}
	if fp != v.MartsFingerprint || n != v.MartRows {
		return v, fmt.Errorf("%d version %d: its rows are not those closed (%d rows, fingerprint %s; recorded %d, %s)", year, version, n, fp[:12], v.MartRows, v.MartsFingerprint[:12])
	}
	if _, err := Files(ctx, q, year, version); err != nil {
		return v, err
	}
	in, _, err := inputDigest(ctx, q, year, version)
	if err != nil {
		return v, err
	}
	check := *v
	check.InputDigest = in
	all, err := fingerprint(ctx, q, &check)
	if err != nil {
		return v, err
	}
	if all != v.Fingerprint {
		return v, fmt.Errorf("%d version %d: its inputs, policy or files are not those closed (fingerprint %s, recorded %s)", year, version, all[:12], v.Fingerprint[:12])
	}
	return v, nil
}

// closedMarts lists the tables closed.<mart> with their columns but
// version. (A version's rows are fingerprinted over these columns; a
// column a mart gains after a close is added to its closed table, NULL in
// the versions before, and would change their fingerprints: the models'
// marts keep their columns.)
func closedMarts(ctx context.Context, q Querier, pr *models.Project) ([]Mart, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'closed' AND table_name NOT IN ('versions', 'inputs', 'policy', 'files', 'changes') AND column_name <> 'version'
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Mart
	for rows.Next() {
		var t, c, typ string
		if err := rows.Scan(&t, &c, &typ); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Name != t {
			out = append(out, Mart{Name: t})
		}
		m := &out[len(out)-1]
		m.Columns = append(m.Columns, c)
		m.Types = append(m.Types, typ)
	}
	for i := range out {
		out[i].Key = martKey(pr, out[i])
	}
	return out, rows.Err()
}

// WriteFiles puts the files of a version in the reports folder out. The
// files of each folder (the year's, out/2014) are written into its next
// version beside it, which is put in its place as a whole (atomic.StageDir:
// other files there, such as a district's reports, stay); a folder whose
// files are already those bytes is left alone. It returns how many files
// it wrote. Callers that may run at once hold atomic.LockDir(out).
func WriteFiles(out string, files []File) (int, error) {
	byDir := map[string][]File{}
	var dirs []string
	for _, f := range files {
		d := path.Dir(f.Path)
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], f)
	}
	n := 0
	for _, d := range dirs {
		var changed []File
		for _, f := range byDir[d] {
			full := filepath.Join(out, filepath.FromSlash(f.Path))
			if b, err := os.ReadFile(full); err == nil && bytes.Equal(b, f.Data) {
				continue
			}
			changed = append(changed, f)
		}
		if len(changed) == 0 {
			continue
		}
		st, err := atomic.StageDir(filepath.Join(out, filepath.FromSlash(d)), true)
		if err != nil {
			return n, err
		}
		for _, f := range changed {
			full := filepath.Join(st.Path, path.Base(f.Path))
			if err := atomic.WriteFile(full, func(w io.Writer) error { _, err := w.Write(f.Data); return err }); err != nil {
				st.Abort()
				return n, fmt.Errorf("write %s: %w", filepath.Join(out, filepath.FromSlash(f.Path)), err)
			}
		}
		if err := st.Commit(); err != nil {
			return n, err
		}
		n += len(changed)
	}
	return n, nil
}
