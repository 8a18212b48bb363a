package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Fingerprints of a model's inputs, SQLMesh-style: a build keeps, for
// every model it built, what the model was built from (ops.model_state),
// and an incremental build rebuilds only the models whose inputs changed.
//
// A model's definition is its SQL body, its materialisation and the
// engine's version: a view is recreated only when its definition changes.
// Its fingerprint is its definition with the fingerprints of the models
// it reads and the digests of the raw and policy tables it reads: a table
// is rebuilt when its fingerprint changes, so a change anywhere upstream
// reaches every table downstream of it, and nothing else.
//
// A raw table's digest is its row count and the sums of its lineage
// columns (RawDigests); a policy table's is the SHA-256 of the statements
// that load it.

// StateTable keeps, for every model, the fingerprints of what it was last
// built from. A build writes it in its own transaction: what it says is
// what the warehouse holds.
const StateTable = "ops.model_state"

const stateDDL = `CREATE TABLE IF NOT EXISTS ops.model_state (
	model       VARCHAR NOT NULL,
	kind        VARCHAR NOT NULL,     -- table | view
	definition  VARCHAR NOT NULL,     -- SHA-256 of the SQL body, the materialisation and the engine's version
	fingerprint VARCHAR NOT NULL,     -- SHA-256 of the definition and every input's digest
	inputs      VARCHAR NOT NULL,     -- JSON: each input (sql, model, raw or policy table) and its digest
	run_id      BIGINT,
	built_at    TIMESTAMP NOT NULL
)`

// Fingerprint is what a model is built from.
type Fingerprint struct {
	Definition string
	Data       string
	// Inputs are the digests the fingerprint is made of, by name: "sql",
	// every upstream model, raw and policy table.
	Inputs map[string]string
}

// modelState is a model's row of ops.model_state.
type modelState struct {
	Kind string
	Fingerprint
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func hexSum(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// EngineVersion is the DuckDB library version behind q.
func EngineVersion(ctx context.Context, q queryer) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT library_version FROM pragma_version()`).Scan(&v)
	return v, err
}

// RawDigests returns the digest of each table named (schema.name). A
// table of rows with their lineage (a superseded_by or released_by
// column: the rows of raw.activities, raw.rejects…) is digested by what
// the ingest changes: its row count and the sums of its submission ids
// and of those markers — rows are appended and marked, never edited
// otherwise. Any other table (raw.submissions, whose counts a release
// updates; the settings) is digested whole: its count and the sum of its
// rows' hashes, every column included. A raw row edited by hand is not
// seen: build with the full rebuild after one.
func RawDigests(ctx context.Context, q queryer, tables []string) (map[string]string, error) {
	out := make(map[string]string, len(tables))
	if len(tables) == 0 {
		return out, nil
	}
	markers := map[string][]string{}
	rows, err := q.QueryContext(ctx, `SELECT schema_name || '.' || table_name, column_name FROM duckdb_columns()
		WHERE column_name IN ('submission_id', 'superseded_by', 'released_by') ORDER BY 1, 2`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return nil, err
		}
		markers[t] = append(markers[t], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var parts []string
	for _, t := range tables {
		d := "coalesce(sum(hash(t)), 0)"
		if ms := markers[t]; len(ms) > 1 && slices.Contains(ms, "submission_id") {
			d = "coalesce(sum(submission_id), 0)"
			for _, m := range ms {
				if m != "submission_id" {
					d += fmt.Sprintf(" || ':' || count(%[1]s) || ':' || coalesce(sum(%[1]s), 0)", m)
				}
			}
		}
		parts = append(parts, fmt.Sprintf("SELECT '%s' AS name, count(*) || ':' || %s AS digest FROM %s AS t", t, d, t))
	}
	rows, err = q.QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, fmt.Errorf("digest the raw tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, d string
		if err := rows.Scan(&name, &d); err != nil {
			return nil, err
		}
		out[name] = d
	}
	return out, rows.Err()
}

// policyDigests returns the digest of every table of pol (policy.name),
// and of policy.versions.
func policyDigests(pol *Policy) map[string]string {
	out := map[string]string{}
	for _, t := range pol.Tables {
		h := sha256.New()
		for _, q := range t.Statements() {
			fmt.Fprintf(h, "%s\x00%q\x00", q.SQL, q.Args)
		}
		out["policy."+t.Spec.Name] = hex.EncodeToString(h.Sum(nil))
	}
	vs, _ := json.Marshal(pol.Versions())
	out["policy.versions"] = hexSum(string(vs))
	return out
}

// readState reads ops.model_state (empty when there is none yet).
func readState(ctx context.Context, q queryer) (map[string]modelState, error) {
	out := map[string]modelState{}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'ops' AND table_name = 'model_state'`).Scan(&n); err != nil || n == 0 {
		return out, err
	}
	rows, err := q.QueryContext(ctx, `SELECT model, kind, definition, fingerprint, inputs FROM ops.model_state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, inputs string
		var s modelState
		if err := rows.Scan(&name, &s.Kind, &s.Definition, &s.Data, &inputs); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(inputs), &s.Inputs)
		out[name] = s
	}
	return out, rows.Err()
}

// relations lists the tables and views of the warehouse by schema.name,
// each with its kind.
func relations(ctx context.Context, q queryer) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT schema_name || '.' || table_name, 'table' FROM duckdb_tables() WHERE NOT internal AND NOT temporary
		UNION ALL SELECT schema_name || '.' || view_name, 'view' FROM duckdb_views() WHERE NOT internal AND NOT temporary`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, k string
		if err := rows.Scan(&n, &k); err != nil {
			return nil, err
		}
		out[n] = k
	}
	return out, rows.Err()
}

func kindOf(m *Model) string {
	if m.Materialized == "table" {
		return "table"
	}
	return "view"
}

// PlannedModel is one model of a Plan.
type PlannedModel struct {
	Model       *Model
	Fingerprint Fingerprint
	// Stale: the model's inputs changed since it was last built (or it
	// never was, or its relation is gone); Why says which.
	Stale bool
	Why   string
}

// Plan is what a build would do: every selected model with its
// fingerprint and whether it must be built.
type Plan struct {
	Models []PlannedModel // in dependency order
	// Digest is the SHA-256 of every selected model's fingerprint: the
	// inputs of the whole selection.
	Digest string
	// Inputs are the raw and policy tables' digests and the engine's
	// version the fingerprints were made of.
	Inputs map[string]string
}

// Stale returns the models that must be built.
func (p *Plan) Stale() []PlannedModel {
	var out []PlannedModel
	for _, m := range p.Models {
		if m.Stale {
			out = append(out, m)
		}
	}
	return out
}

// Plan computes the fingerprints of the selected models against the
// warehouse behind db, with the policy a build with the same options
// would load, and says which models an incremental build would build.
// It reads only.
func (p *Project) Plan(ctx context.Context, db *sql.DB, opt BuildOptions) (*Plan, error) {
	sel, pol, err := p.prepare(opt)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return p.plan(ctx, conn, sel, pol)
}

// plan computes the fingerprints of sel (in dependency order). A model
// outside the selection is read as the warehouse holds it: its stored
// fingerprint stands for it (none when it was never built by a build that
// kept one, which makes everything reading it stale).
func (p *Project) plan(ctx context.Context, q queryer, sel []*Model, pol *Policy) (*Plan, error) {
	selected := make(map[string]bool, len(sel))
	needRaw := map[string]bool{}
	for _, m := range sel {
		selected[m.Name] = true
		for _, s := range m.Sources {
			if strings.HasPrefix(s, "raw.") {
				needRaw[s] = true
			}
		}
	}
	engine, err := EngineVersion(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("the engine's version: %w", err)
	}
	raw, err := RawDigests(ctx, q, sortedKeys(needRaw))
	if err != nil {
		return nil, err
	}
	pols := policyDigests(pol)
	state, err := readState(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", StateTable, err)
	}
	rels, err := relations(ctx, q)
	if err != nil {
		return nil, err
	}
	pl := &Plan{Inputs: map[string]string{"engine": engine}}
	for k, v := range raw {
		pl.Inputs[k] = v
	}
	for k, v := range pols {
		pl.Inputs[k] = v
	}
	fps := map[string]Fingerprint{}
	digest := sha256.New()
	for _, m := range p.models {
		if !selected[m.Name] {
			if st, ok := state[m.Name]; ok {
				fps[m.Name] = st.Fingerprint
			} else {
				fps[m.Name] = Fingerprint{Data: "unknown"}
			}
			continue
		}
		fp := Fingerprint{Inputs: map[string]string{}}
		fp.Definition = hexSum("definition", engine, m.Name, kindOf(m), m.Body())
		fp.Inputs["sql"] = fp.Definition
		for _, u := range m.Upstream {
			fp.Inputs[u] = fps[u].Data
		}
		for _, s := range m.Sources {
			if d, ok := raw[s]; ok {
				fp.Inputs[s] = d
			} else if d, ok := pols[s]; ok {
				fp.Inputs[s] = d
			} else {
				return nil, fmt.Errorf("model %s reads %s, which has no digest", m.Name, s)
			}
		}
		keys := make([]string, 0, len(fp.Inputs))
		for k := range fp.Inputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := []string{"data"}
		for _, k := range keys {
			parts = append(parts, k, fp.Inputs[k])
		}
		fp.Data = hexSum(parts...)
		fps[m.Name] = fp
		pm := PlannedModel{Model: m, Fingerprint: fp}
		pm.Stale, pm.Why = stale(m, fp, state, rels)
		pl.Models = append(pl.Models, pm)
		fmt.Fprintf(digest, "%s\x00%s\x00", m.Name, fp.Data)
	}
	pl.Digest = hex.EncodeToString(digest.Sum(nil))
	return pl, nil
}

// stale says whether m must be built, and why.
func stale(m *Model, fp Fingerprint, state map[string]modelState, rels map[string]string) (bool, string) {
	st, ok := state[m.Name]
	switch {
	case !ok:
		return true, "never built with fingerprints"
	case rels[m.Name] != kindOf(m):
		return true, "its " + kindOf(m) + " is missing"
	case st.Kind != kindOf(m) || st.Definition != fp.Definition:
		return true, "its SQL changed"
	case kindOf(m) == "view":
		return false, "" // a view reads its inputs when queried
	case st.Data == fp.Data:
		return false, ""
	}
	var changed []string
	for k, v := range fp.Inputs {
		if st.Inputs[k] != v {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	if len(changed) == 0 {
		return true, "its inputs changed"
	}
	return true, "changed: " + strings.Join(changed, ", ")
}

// saveState records the fingerprints of the models built, in the build's
// transaction.
func saveState(ctx context.Context, ex execer, built []PlannedModel, runID int64) error {
	if len(built) == 0 {
		return nil
	}
	if _, err := ex.ExecContext(ctx, stateDDL); err != nil {
		return err
	}
	var names []string
	var args []any
	var vals []string
	var run any
	if runID != 0 {
		run = runID
	}
	now := time.Now().UTC()
	for _, pm := range built {
		names = append(names, "'"+strings.ReplaceAll(pm.Model.Name, "'", "''")+"'")
		in, err := json.Marshal(pm.Fingerprint.Inputs)
		if err != nil {
			return err
		}
		vals = append(vals, "(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, pm.Model.Name, kindOf(pm.Model), pm.Fingerprint.Definition, pm.Fingerprint.Data, string(in), run, now)
	}
	if _, err := ex.ExecContext(ctx, `DELETE FROM ops.model_state WHERE model IN (`+strings.Join(names, ", ")+`)`); err != nil {
		return err
	}
	_, err := ex.ExecContext(ctx, `INSERT INTO ops.model_state VALUES `+strings.Join(vals, ", "), args...)
	return err
}
