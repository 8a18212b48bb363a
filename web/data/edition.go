package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Source is which figures of a mart a page reads (README "Official
// numbers"): the official ones (official.*: a closed year's latest
// version, an open year's working figures), the working figures
// (marts.*: what the latest build made of everything received, a closed
// year's included), or one closed version of a year (closed.*).
type Source struct {
	Working bool
	// Year and Version name a closed version; Version 0 is not one.
	Year, Version int
}

// Official is the source of the official figures.
var Official = Source{}

// ErrBadVersion is returned for a version that is neither 正式, 工作 nor
// a number.
var ErrBadVersion = errors.New("version must be empty (official), working, or a version number")

// ParseSource reads a page's ?version=: "" for the official figures,
// "working" for the working figures, or N for version N of year.
func ParseSource(v string, year int) (Source, error) {
	switch v {
	case "", "official":
		return Official, nil
	case "working":
		return Source{Working: true}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 9999 {
		return Source{}, ErrBadVersion
	}
	return Source{Year: year, Version: n}, nil
}

// Param is the source as ?version= writes it.
func (s Source) Param() string {
	switch {
	case s.Version > 0:
		return strconv.Itoa(s.Version)
	case s.Working:
		return "working"
	}
	return ""
}

// Zh names the source for people.
func (s Source) Zh() string {
	switch {
	case s.Version > 0:
		return fmt.Sprintf("%d 年第 %d 版（已签发）", s.Year, s.Version)
	case s.Working:
		return "工作数据（最新汇总，未经签发）"
	}
	return "正式数据（已关账年度为签发版本，其余为最新汇总）"
}

// Closed reports whether the source is one closed version.
func (s Source) Closed() bool { return s.Version > 0 }

// ForYear is the source for another year of the same page (last year's
// column of a year-over-year comparison): a closed version is of its own
// year only, so another year reads the official figures.
func (s Source) ForYear(year int) Source {
	if s.Version > 0 && year != s.Year {
		return Official
	}
	return s
}

// table is the mart's rows of the source, as SQL, and what it binds.
func (s Source) table(mart string) (string, []any) {
	switch {
	case s.Version > 0:
		return `(SELECT * EXCLUDE (version) FROM closed.` + mart + ` WHERE year = $closed_year AND version = $closed_version)`,
			[]any{sql.Named("closed_year", s.Year), sql.Named("closed_version", s.Version)}
	case s.Working:
		return "marts." + mart, nil
	}
	return "official." + mart, nil
}

// Version is one closed version of a year: its sign-off.
type Version struct {
	Year        int       `json:"year"`
	Version     int       `json:"version"`
	Kind        string    `json:"kind"` // close | restate
	SignedBy    string    `json:"signed_by"`
	SignedAt    time.Time `json:"signed_at"`
	Note        string    `json:"note"`
	Policy      int       `json:"policy_version"`
	Inputs      int       `json:"inputs"`
	MartRows    int64     `json:"mart_rows"`
	Fingerprint string    `json:"fingerprint"`
}

// KindZh names what made the version.
func (v Version) KindZh() string {
	if v.Kind == "restate" {
		return "更正"
	}
	return "关账"
}

// Versions returns the closed versions of year (every year when 0),
// oldest first.
func (r *Read) Versions(ctx context.Context, year int) ([]Version, error) {
	b := r.query()
	q := `SELECT year, version, kind, signed_by, signed_at, coalesce(note, '') AS note, coalesce(policy_version, 0) AS policy_version,
		coalesce(inputs, 0) AS inputs, coalesce(mart_rows, 0) AS mart_rows, coalesce(fingerprint, '') AS fingerprint FROM ` + b.rel("versions") + ` v`
	if year != 0 {
		q += ` WHERE year = ` + b.arg("year", year)
	}
	t, err := b.table(ctx, q+` ORDER BY year, version`)
	if err != nil {
		return nil, err
	}
	var out []Version
	for i := range t.Rows {
		v := Version{Kind: t.String(i, "kind"), SignedBy: t.String(i, "signed_by"), Note: t.String(i, "note"), Fingerprint: t.String(i, "fingerprint")}
		v.Year, v.Version = toInt(t.Value(i, "year")), toInt(t.Value(i, "version"))
		v.Policy, v.Inputs, v.MartRows = toInt(t.Value(i, "policy_version")), toInt(t.Value(i, "inputs")), int64(toInt(t.Value(i, "mart_rows")))
		if at, err := time.Parse(time.RFC3339, t.String(i, "signed_at")); err == nil {
			v.SignedAt = at
		}
		out = append(out, v)
	}
	return out, nil
}

// toInt reads an integer of a table.
func toInt(v any) int {
	switch x := v.(type) {
	case int32:
		return int(x)
	case int64:
		return int(x)
	case int16:
		return int(x)
	case int8:
		return int(x)
	case int:
		return x
	}
	return 0
}

// CheckSource checks that a closed version exists: ErrNotFound when it
// does not.
func (r *Read) CheckSource(ctx context.Context, s Source) error {
	if !s.Closed() {
		return nil
	}
	vs, err := r.Versions(ctx, s.Year)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.Version == s.Version {
			return nil
		}
	}
	return ErrNotFound
}
