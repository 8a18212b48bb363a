package data

import (
	"context"
	"database/sql"
	"errors"
	"path"
	"strings"
	"time"

	"shequ/etl/receipt"
	"shequ/etl/validate"
)

// Submission is one file received, as the history and the receipt page
// show it.
type Submission struct {
	ID           int64     `json:"submission_id"`
	File         string    `json:"file"`          // path relative to the inbox
	OriginalName string    `json:"original_name"` // the name the browser sent; "" for an inbox file
	UploadedBy   string    `json:"uploaded_by,omitempty"`
	District     string    `json:"district"` // the district the submission belongs to; "" for the city
	ReceivedAt   time.Time `json:"received_at"`
	Status       string    `json:"status"`
	Kinds        []string  `json:"kinds"`
	Read         int       `json:"rows_read"`
	Loaded       int       `json:"rows_loaded"`
	Rejected     int       `json:"rows_rejected"`
	Warned       int       `json:"rows_warned"`
	Waiting      int       `json:"rows_waiting"` // rows waiting for their project or community (待关联)
	ReasonZh     string    `json:"reason_zh,omitempty"`
	DuplicateOf  int64     `json:"duplicate_of,omitempty"`
	SHA256       string    `json:"sha256"`
}

// Name is the file's name for people: the one the district gave it.
func (s Submission) Name() string {
	if s.OriginalName != "" {
		return s.OriginalName
	}
	return path.Base(s.File)
}

// StatusZh is the outcome in Chinese.
func (s Submission) StatusZh() string { return receipt.StatusZh(s.Status) }

// KindsZh names the kinds in Chinese.
func (s Submission) KindsZh() string { return receipt.KindsZh(s.Kinds) }

const submissionCols = `submission_id, file, coalesce(original_name, ''), coalesce(uploaded_by, ''), coalesce(scope_district, ''),
	received_at, status, coalesce(kinds, ''), rows_read, rows_loaded, rows_rejected, rows_warned, orphans_waiting,
	coalesce(reason_zh, ''), coalesce(duplicate_of, 0), sha256`

func scanSubmission(sc interface{ Scan(...any) error }) (Submission, error) {
	var s Submission
	var kinds string
	err := sc.Scan(&s.ID, &s.File, &s.OriginalName, &s.UploadedBy, &s.District, &s.ReceivedAt, &s.Status, &kinds,
		&s.Read, &s.Loaded, &s.Rejected, &s.Warned, &s.Waiting, &s.ReasonZh, &s.DuplicateOf, &s.SHA256)
	if kinds != "" {
		s.Kinds = strings.Split(kinds, ",")
	}
	return s, err
}

// Submissions returns the newest submissions the scope sees, newest
// first; skipped inbox entries (not files) are left out.
func (r *Read) Submissions(ctx context.Context, limit int) ([]Submission, error) {
	from, a := r.scope.rel("submissions")
	t, err := r.cached(ctx, `SELECT `+submissionCols+` FROM `+from+` WHERE status <> 'skipped'
		ORDER BY received_at DESC, submission_id DESC LIMIT $limit`, args(a, []any{sql.Named("limit", limit)}))
	if err != nil {
		return nil, err
	}
	var out []Submission
	for i := range t.Rows {
		v := t.Rows[i]
		str := func(k int) string { s, _ := v[k].(string); return s }
		s := Submission{ID: int64(toInt(v[0])), File: str(1), OriginalName: str(2), UploadedBy: str(3), District: str(4), Status: str(6),
			Read: toInt(v[8]), Loaded: toInt(v[9]), Rejected: toInt(v[10]), Warned: toInt(v[11]), Waiting: toInt(v[12]),
			ReasonZh: str(13), DuplicateOf: int64(toInt(v[14])), SHA256: str(15)}
		s.ReceivedAt, _ = time.Parse(time.RFC3339, str(5))
		if k := str(7); k != "" {
			s.Kinds = strings.Split(k, ",")
		}
		out = append(out, s)
	}
	return out, nil
}

// Submission returns one submission, or ErrNotFound when the scope does
// not see it.
func (r *Read) Submission(ctx context.Context, id int64) (Submission, error) {
	from, a := r.scope.rel("submissions")
	s, err := scanSubmission(r.db.QueryRowContext(ctx, `SELECT `+submissionCols+` FROM `+from+` WHERE submission_id = $id`,
		args(a, []any{sql.Named("id", id)})...))
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// Problem is one problem of one row of a submission.
type Problem struct {
	Submission int64  `json:"submission_id"`
	File       string `json:"file"`
	Sheet      string `json:"sheet"`
	Row        int    `json:"row"`
	Column     string `json:"column"`
	Header     string `json:"header"`
	Letter     string `json:"letter"`
	Value      string `json:"value"`
	Severity   string `json:"severity"`
	Code       string `json:"code"`
	MessageZh  string `json:"message_zh"`
	ReleasedBy int64  `json:"released_by,omitempty"`
	// District is the district of the submission ("" for the city's);
	// OriginalName the name the district gave the file when uploaded.
	District     string `json:"-"`
	OriginalName string `json:"-"`
}

// FileName is the file's name for people.
func (p Problem) FileName() string {
	if p.OriginalName != "" {
		return p.OriginalName
	}
	return path.Base(p.File)
}

// StateZh says what the problem means for its row now.
func (p Problem) StateZh() string {
	switch {
	case p.ReleasedBy != 0:
		return receipt.StateReleased
	case p.Severity == validate.Error && validate.Reference(p.Code):
		return "待关联"
	case p.Severity == validate.Warning:
		return "警告（已入库）"
	}
	return "错误（未入库）"
}

// Standing reports whether the problem still stands: an error not since
// released.
func (p Problem) Standing() bool { return p.ReleasedBy == 0 && p.Severity == validate.Error }

const problemCols = `submission_id, file, sheet, "row", "column", coalesce(header, ''), coalesce(letter, ''), coalesce(value, ''),
	severity, code, message_zh, coalesce(released_by, 0), coalesce(scope_district, ''), coalesce(original_name, '')`

func scanProblems(rows *sql.Rows) ([]Problem, error) {
	defer rows.Close()
	var out []Problem
	for rows.Next() {
		var p Problem
		if err := rows.Scan(&p.Submission, &p.File, &p.Sheet, &p.Row, &p.Column, &p.Header, &p.Letter, &p.Value,
			&p.Severity, &p.Code, &p.MessageZh, &p.ReleasedBy, &p.District, &p.OriginalName); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Problems returns every problem of a submission the scope sees, in the
// order of the file.
func (r *Read) Problems(ctx context.Context, id int64) ([]Problem, error) {
	from, a := r.scope.rel("problems")
	rows, err := r.db.QueryContext(ctx, `SELECT `+problemCols+` FROM `+from+` WHERE submission_id = $id
		ORDER BY sheet, "row", "column", code`, args(a, []any{sql.Named("id", id)})...)
	if err != nil {
		return nil, err
	}
	return scanProblems(rows)
}

// StandingProblems returns the problems still standing in every
// submission the scope sees whose rows are of district (all districts
// when ""), newest submission first: what must be corrected.
func (r *Read) StandingProblems(ctx context.Context, district string) ([]Problem, error) {
	from, a := r.scope.rel("problems")
	q := `SELECT ` + problemCols + ` FROM ` + from + ` WHERE released_by IS NULL AND severity = 'error'`
	extra := []any{}
	if district != "" {
		q += ` AND scope_district = $district`
		extra = append(extra, sql.Named("district", district))
	}
	t, err := r.cached(ctx, q+` ORDER BY submission_id, sheet, "row", "column"`, args(a, extra))
	if err != nil {
		return nil, err
	}
	var out []Problem
	for i := range t.Rows {
		v := t.Rows[i]
		str := func(k int) string { s, _ := v[k].(string); return s }
		out = append(out, Problem{Submission: int64(toInt(v[0])), File: str(1), Sheet: str(2), Row: toInt(v[3]), Column: str(4), Header: str(5),
			Letter: str(6), Value: str(7), Severity: str(8), Code: str(9), MessageZh: str(10), ReleasedBy: int64(toInt(v[11])),
			District: str(12), OriginalName: str(13)})
	}
	return out, nil
}

// Orphan is a row waiting for its project or community (待关联).
type Orphan struct {
	Submission int64  `json:"submission_id"`
	Sheet      string `json:"sheet"`
	Row        int    `json:"row"`
	Kind       string `json:"kind"`
	Parent     string `json:"parent"` // project | community
	Year       int    `json:"year"`
	Code       string `json:"code"`
	Blocked    bool   `json:"blocked"` // the row has other errors too
	District   string `json:"district"`
}

// ParentZh names what the row waits for.
func (o Orphan) ParentZh() string {
	if o.Parent == "community" {
		return "社区名册中的社区"
	}
	return "服务项目"
}

// Waiting returns the rows waiting for their parent in the submissions
// the scope sees.
func (r *Read) Waiting(ctx context.Context) ([]Orphan, error) {
	from, a := r.scope.rel("orphans")
	t, err := r.cached(ctx, `SELECT submission_id, sheet, "row", kind, parent, year, code, blocked, coalesce(scope_district, '')
		FROM `+from+` WHERE released_by IS NULL ORDER BY submission_id, sheet, "row"`, a)
	if err != nil {
		return nil, err
	}
	var out []Orphan
	for i := range t.Rows {
		v := t.Rows[i]
		str := func(k int) string { s, _ := v[k].(string); return s }
		blocked, _ := v[7].(bool)
		out = append(out, Orphan{Submission: int64(toInt(v[0])), Sheet: str(1), Row: toInt(v[2]), Kind: str(3), Parent: str(4),
			Year: toInt(v[5]), Code: str(6), Blocked: blocked, District: str(8)})
	}
	return out, nil
}
