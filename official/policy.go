package official

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"shequ/models"
)

// PolicyChange is one change of the policy: an override file shaped like
// one policy table, kept whole (settings.policy_changes).
type PolicyChange struct {
	Version    int    // the policy version it makes: 1, 2, …
	Table      string // the policy table it changes
	File       string // the file's name as given
	Content    string // the CSV as applied
	SHA256     string
	Rows       int
	By, Reason string
	At         time.Time
}

// OverrideName is the name a change is applied and recorded under
// (policy.versions.file): 本市政策变更第3号/reward_budget.csv. Its last
// element names the table, so the policy recognises it.
func (c PolicyChange) OverrideName() string {
	return fmt.Sprintf("%s%d号/%s.csv", ChangePrefix, c.Version, c.Table)
}

// ChangePrefix starts the name of every stored policy change in
// policy.versions, where a trial's files keep their own names.
const ChangePrefix = "本市政策变更第"

// PolicyChanges lists the changes kept in the warehouse, in order.
func PolicyChanges(ctx context.Context, q Querier) ([]PolicyChange, error) {
	ok, err := hasTable(ctx, q, "settings", "policy_changes")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT policy_version, policy_table, file, content, sha256, rows, set_by, set_at, reason
		FROM settings.policy_changes ORDER BY policy_version`)
	if err != nil {
		return nil, fmt.Errorf("read the policy changes: %w", err)
	}
	defer rows.Close()
	var out []PolicyChange
	for rows.Next() {
		var c PolicyChange
		if err := rows.Scan(&c.Version, &c.Table, &c.File, &c.Content, &c.SHA256, &c.Rows, &c.By, &c.At, &c.Reason); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PolicyVersion is the version of the policy in force: the number of the
// last change, 0 for the built-in defaults.
func PolicyVersion(changes []PolicyChange) int {
	if len(changes) == 0 {
		return 0
	}
	return changes[len(changes)-1].Version
}

// Overrides are the changes as a build applies them, in order.
func Overrides(changes []PolicyChange) []models.Override {
	out := make([]models.Override, len(changes))
	for i, c := range changes {
		out[i] = models.Override{Name: c.OverrideName(), Data: []byte(c.Content)}
	}
	return out
}

// StoredOverrides reads the changes kept in the warehouse as a build
// applies them, with the policy version they make.
func StoredOverrides(ctx context.Context, q Querier) ([]models.Override, int, error) {
	cs, err := PolicyChanges(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	return Overrides(cs), PolicyVersion(cs), nil
}

// CurrentPolicy is the project's default policy with every stored change
// applied: the policy every build loads.
func CurrentPolicy(ctx context.Context, q Querier, pr *models.Project) (*models.Policy, []PolicyChange, error) {
	cs, err := PolicyChanges(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	pol, err := pr.PolicyWith()
	if err != nil {
		return nil, nil, err
	}
	for _, o := range Overrides(cs) {
		if err := pol.ApplyOverride(o.Name, o.Data); err != nil {
			return nil, nil, fmt.Errorf("the policy kept in the warehouse no longer applies to these models: %w", err)
		}
	}
	return pol, cs, nil
}

// SetPolicy checks an override file against the policy in force and keeps
// it as the next policy version. file is the name it was given (it names
// the table, as for `shequ report --policy`); the content is kept whole,
// with a source column added when it has none (本市政策变更第N号（date,
// who: why）), so every row it changes says where it comes from.
func SetPolicy(ctx context.Context, q Querier, pr *models.Project, file string, data []byte, by, reason string) (*PolicyChange, error) {
	by, reason = strings.TrimSpace(by), strings.TrimSpace(reason)
	if by == "" {
		return nil, ErrNoBy
	}
	if reason == "" {
		return nil, ErrNoReason
	}
	pol, cs, err := CurrentPolicy(ctx, q, pr)
	if err != nil {
		return nil, err
	}
	c := &PolicyChange{Version: PolicyVersion(cs) + 1, File: path.Base(filepath.ToSlash(file)), By: by, Reason: reason,
		At: time.Now().UTC().Truncate(time.Microsecond)}
	// Which table: the one whose files grow when the file is applied.
	before := map[string]int{}
	for _, v := range pol.Versions() {
		before[v.Table]++
	}
	if err := pol.ApplyOverride(c.File, data); err != nil {
		return nil, err
	}
	for _, v := range pol.Versions() {
		before[v.Table]--
		if before[v.Table] < 0 {
			c.Table = v.Table
		}
	}
	t := pol.Table(c.Table)
	if t == nil {
		return nil, fmt.Errorf("%s: no policy table took the file", c.File)
	}
	source := fmt.Sprintf("%s%d号（%s，%s：%s）", ChangePrefix, c.Version, c.At.In(Zone).Format("2006-01-02"), by, reason)
	content, rows, err := withSource(data, t.Spec, source)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.File, err)
	}
	if rows == 0 {
		return nil, fmt.Errorf("%s has no rows: nothing to change", c.File)
	}
	c.Content, c.Rows = content, rows
	h := sha256.Sum256([]byte(content))
	c.SHA256 = hex.EncodeToString(h[:])
	// The stored content must apply as the check did.
	check, err := pr.PolicyWith()
	if err != nil {
		return nil, err
	}
	for _, o := range append(Overrides(cs), models.Override{Name: c.OverrideName(), Data: []byte(content)}) {
		if err := check.ApplyOverride(o.Name, o.Data); err != nil {
			return nil, err
		}
	}
	_, err = q.ExecContext(ctx, `INSERT INTO settings.policy_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Version, c.Table, c.File, c.Content, c.SHA256, c.Rows, c.By, c.At, c.Reason)
	if err != nil {
		return nil, fmt.Errorf("record the policy change: %w", err)
	}
	return c, nil
}

// withSource returns the CSV with a source column filled with source when
// the table has one and the file has not, and the number of data rows.
func withSource(data []byte, spec *models.PolicyTableSpec, source string) (string, int, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return "", 0, err
	}
	if len(recs) == 0 {
		return "", 0, fmt.Errorf("empty file")
	}
	add := spec.Column("source") != nil
	for _, h := range recs[0] {
		if strings.TrimSpace(h) == "source" {
			add = false
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	n := 0
	for i, rec := range recs {
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if i > 0 {
			n++
		}
		if add {
			v := source
			if i == 0 {
				v = "source"
			}
			row := make([]string, max(len(rec), len(recs[0])), len(recs[0])+1)
			copy(row, rec)
			rec = append(row, v)
		}
		if err := w.Write(rec); err != nil {
			return "", 0, err
		}
	}
	w.Flush()
	return b.String(), n, w.Error()
}

// MarkOrigins records, after a build, that the stored changes in
// policy.versions are the city's settings (origin setting), not a trial's
// alternative files (origin override), so the reports' stamp tells them
// apart.
func MarkOrigins(ctx context.Context, q Querier) error {
	_, err := q.ExecContext(ctx, `UPDATE policy.versions SET origin = 'setting' WHERE origin = 'override' AND starts_with(file, ?)`, ChangePrefix)
	return err
}
