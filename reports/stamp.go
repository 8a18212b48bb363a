package reports

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"shequ/internal/sqlrows"
)

// Stamp is the warehouse state a report came from: the build that made the
// marts, the policy files in force and the submission files loaded. Every
// report carries it (the cover and footer of the human reports, the
// manifest of the exports), so a figure can be traced to its inputs.
type Stamp struct {
	// RunID is the run that built the marts (ops.model_runs.run_id); 0
	// when the build was not recorded as a run.
	RunID int64
	// BuiltAt is when the last mart of that build was written.
	BuiltAt time.Time
	// Policy lists the policy files in force (policy.versions).
	Policy []PolicyFile
	// PolicyDigest identifies the policy: the first 12 hex digits of the
	// SHA-256 of its files' tables, names and hashes.
	PolicyDigest string
	// Inputs are the submission files loaded (marts.submissions).
	Inputs []InputFile
	// InputDigest identifies the inputs the same way.
	InputDigest string
	// DataAsOf is when the newest loaded file was received.
	DataAsOf time.Time
}

// PolicyFile is one file that went into a policy table.
type PolicyFile struct {
	Table  string `json:"table"`
	File   string `json:"file"`
	Origin string `json:"origin"` // default or override
	SHA256 string `json:"sha256"`
	Rows   int64  `json:"rows"`
}

// InputFile is one loaded submission.
type InputFile struct {
	ID         int64     `json:"submission_id"`
	File       string    `json:"file"`
	District   string    `json:"district,omitempty"`
	SHA256     string    `json:"sha256"`
	ReceivedAt time.Time `json:"received_at"`
	Rows       int64     `json:"rows_loaded"`
}

// policyTablesZh names the policy tables for readers.
var policyTablesZh = map[string]string{
	"parameters":        "政策参数",
	"reward_budget":     "市级奖励资金年度预算",
	"reward_rates":      "市级奖励比例",
	"rooms":             "功能室目录与面积标准",
	"service_catalogue": "服务项目目录",
	"star_bands":        "评估星级分档",
	"submission_kinds":  "报送数据类型",
	"tranches":          "分期拨付比例",
}

// TableZh is the policy table's name for readers (政策参数 for parameters);
// a table without one keeps its own.
func (p PolicyFile) TableZh() string {
	if zh, ok := policyTablesZh[p.Table]; ok {
		return zh
	}
	return p.Table
}

// OriginZh says in Chinese where the file comes from: 系统默认, 本市设定 (a
// change the city made and keeps) or 试算备选 (a trial's alternative file).
func (p PolicyFile) OriginZh() string {
	switch p.Origin {
	case "default":
		return "系统默认"
	case "setting":
		return "本市设定"
	}
	return "试算备选"
}

// FileZh names the file for readers: the default policy is built in (its
// file is no reader's business); a city's or a trial's file by its name.
func (p PolicyFile) FileZh() string {
	if p.Origin == "default" {
		return "内置"
	}
	f := p.File
	if i := strings.LastIndexAny(f, `/\`); i >= 0 {
		f = f[i+1:]
	}
	return f
}

// Overrides lists the policy files that are not the defaults.
func (s *Stamp) Overrides() []PolicyFile {
	var out []PolicyFile
	for _, p := range s.Policy {
		if p.Origin != "default" {
			out = append(out, p)
		}
	}
	return out
}

// Line is the stamp in one line of Chinese, for footers:
// 运行 #4 · 政策版本 3f2a9c1b2d4e · 报送文件 21 个（摘要 9a8b7c6d5e4f）· 数据截至 2015-01-10.
func (s *Stamp) Line() string {
	run := "未记录"
	if s.RunID != 0 {
		run = fmt.Sprintf("#%d", s.RunID)
	}
	line := fmt.Sprintf("运行 %s · 政策版本 %s · 报送文件 %d 个（摘要 %s）", run, s.PolicyDigest, len(s.Inputs), s.InputDigest)
	if !s.DataAsOf.IsZero() {
		line += " · 数据截至 " + s.DataAsOf.Format("2006-01-02")
	}
	return line
}

// ReadStamp reads the state of the warehouse behind db.
func ReadStamp(ctx context.Context, db *sql.DB) (*Stamp, error) {
	s := &Stamp{}
	var run sql.NullInt64
	var built sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT run_id, ended_at FROM ops.model_runs
		WHERE status = 'ok' AND model LIKE 'marts.%' ORDER BY ended_at DESC, run_id DESC LIMIT 1`).Scan(&run, &built)
	switch {
	case err == sql.ErrNoRows:
		return nil, fmt.Errorf("read the warehouse state: no mart has been built; run `shequ build` first")
	case err != nil:
		return nil, fmt.Errorf("read the warehouse state: %w", err)
	}
	s.RunID, s.BuiltAt = run.Int64, built.Time.UTC()

	rows, err := db.QueryContext(ctx, `SELECT policy_table, file, origin, sha256, coalesce(rows, 0) FROM policy.versions ORDER BY policy_table, origin, file`)
	if err != nil {
		return nil, fmt.Errorf("read the policy versions: %w", err)
	}
	if s.Policy, err = sqlrows.All(rows, func(p *PolicyFile) []any {
		return []any{&p.Table, &p.File, &p.Origin, &p.SHA256, &p.Rows}
	}); err != nil {
		return nil, err
	}

	rows, err = db.QueryContext(ctx, `SELECT submission_id, file, coalesce(district, ''), sha256, received_at, coalesce(rows_loaded, 0)
		FROM marts.submissions WHERE status = 'loaded' ORDER BY submission_id`)
	if err != nil {
		return nil, fmt.Errorf("read the submissions: %w", err)
	}
	if s.Inputs, err = sqlrows.All(rows, func(f *InputFile) []any {
		return []any{&f.ID, &f.File, &f.District, &f.SHA256, &f.ReceivedAt, &f.Rows}
	}); err != nil {
		return nil, err
	}
	for i := range s.Inputs {
		f := &s.Inputs[i]
		f.ReceivedAt = f.ReceivedAt.UTC()
		if f.ReceivedAt.After(s.DataAsOf) {
			s.DataAsOf = f.ReceivedAt
		}
	}
	var pb, ib strings.Builder
	for _, p := range s.Policy {
		fmt.Fprintf(&pb, "%s\t%s\t%s\t%s\n", p.Table, p.Origin, p.File, p.SHA256)
	}
	for _, f := range s.Inputs {
		fmt.Fprintf(&ib, "%s\t%s\n", f.File, f.SHA256)
	}
	s.PolicyDigest, s.InputDigest = digest(pb.String()), digest(ib.String())
	return s, nil
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:12]
}
