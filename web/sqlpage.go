package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"shequ/queries"
	"shequ/queries/output"
	"shequ/web/account"
	"shequ/web/arrowsql"
	"shequ/web/data"
)

// The analysts' pages: SQL of their own and the saved queries, on the
// published snapshot, read-only and sandboxed exactly as `shequ sql` (the
// same checks refuse the same statements before anything runs, DuckDB's
// sandbox the rest); a district account's SQL runs on a file holding its
// district's rows only (web/data.Snapshots.SQL). Results show on the page
// (the first rows) and download whole as CSV, xlsx or Parquet; the query
// is in the URL, so a link runs it again.

// sqlTimeout bounds one run of a page or a download.
const sqlTimeout = 2 * time.Minute

// sqlShown is how many rows of a result the page shows.
const sqlShown = 1000

// maxSQL bounds the SQL text of a request.
const maxSQL = 64 << 10

type sqlResult struct {
	Columns []string
	Numeric []bool
	Rows    [][]string
	Count   int
	Cut     bool
}

type sqlData struct {
	SQL     string
	Results []sqlResult
	Error   string
	Took    string
	Ran     bool
	// Tables the session may read, by schema.
	Tables map[string][]string
	Saved  []*queries.Query
	// Query is the saved query shown, with the values of its form.
	Query  *queries.Query
	Values map[string]string
	// Own is a district account's district: its district parameter.
	Own string
	// Downloads are the links of the result's files.
	Downloads [][2]string
}

// sqlShow is GET /sql?q=…: the SQL page, running q when given.
func (s *Server) sqlShow(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	text := r.URL.Query().Get("q")
	sd := &sqlData{SQL: text, Saved: s.savedQueries()}
	if len(text) > maxSQL {
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "SQL 太长")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), sqlTimeout)
	defer cancel()
	sess, err := s.snap.SQL(ctx, c.Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer sess.Close()
	sd.Tables = s.tables(ctx, sess)
	if strings.TrimSpace(text) != "" {
		sd.Ran = true
		start := time.Now()
		res, err := runStatements(ctx, sess, text)
		sd.Took = time.Since(start).Round(time.Millisecond).String()
		if err != nil {
			sd.Error = err.Error()
		}
		sd.Results = shown(res)
		if err == nil && len(res) > 0 {
			q := url.Values{"q": {text}}.Encode()
			for _, f := range []string{"csv", "xlsx", "parquet"} {
				sd.Downloads = append(sd.Downloads, [2]string{strings.ToUpper(f), "/sql/result." + f + "?" + q})
			}
		}
	}
	s.render(w, r, http.StatusOK, "sql", &view{Title: "SQL 查询", Nav: "sql", Fresh: sess.Published, Data: sd})
}

// sqlDownload is GET /sql/result.{csv,xlsx,parquet}?q=…: the results as a
// file.
func (s *Server) sqlDownload(w http.ResponseWriter, r *http.Request) {
	text := r.URL.Query().Get("q")
	if strings.TrimSpace(text) == "" || len(text) > maxSQL {
		s.renderError(w, r, http.StatusBadRequest, "没有 SQL，或 SQL 太长")
		return
	}
	s.downloadWith(w, r, "查询结果", text, nil, nil)
}

// downloadWith writes a download: the statements of text, or the saved
// query q with values.
func (s *Server) downloadWith(w http.ResponseWriter, r *http.Request, name, text string, q *queries.Query, values map[string]string) {
	c := callerOf(r)
	format := r.URL.Path[strings.LastIndexByte(r.URL.Path, '.')+1:]
	ctx, cancel := context.WithTimeout(r.Context(), sqlTimeout)
	defer cancel()
	sess, err := s.snap.SQL(ctx, c.Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer sess.Close()
	bad := func(err error) {
		s.renderError(w, r, http.StatusBadRequest, "查询未能运行："+err.Error())
	}
	audit := func() {
		detail := text
		if q != nil {
			detail = q.Name + " " + url.Values(toValues(values)).Encode()
		}
		s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActDownload, Address: c.addr, OK: true,
			Target: name + "." + format, Detail: truncate(detail, 500)})
	}
	switch format {
	case "parquet":
		var rows *sql.Rows
		if q != nil {
			args, err := q.Args(values)
			if err != nil {
				bad(err)
				return
			}
			if rows, err = sess.QueryContext(ctx, q.SQL, args...); err != nil {
				bad(err)
				return
			}
		} else {
			stmts := queries.Split(text)
			if err := queries.CheckAll(stmts, ""); err != nil {
				bad(err)
				return
			}
			for _, st := range stmts[:len(stmts)-1] {
				if _, err := queries.Exec(ctx, sess, st); err != nil {
					bad(err)
					return
				}
			}
			last := stmts[len(stmts)-1]
			if rows, err = sess.QueryContext(ctx, queries.Rewrite(last.Text)); err != nil {
				bad(queries.Explain(err, last.Line))
				return
			}
		}
		rd, err := arrowsql.NewReader(memory.DefaultAllocator, rows)
		if err != nil {
			bad(err)
			return
		}
		defer rd.Release()
		audit()
		w.Header().Set("Content-Type", "application/vnd.apache.parquet")
		w.Header().Set("Content-Disposition", attachment(name+".parquet"))
		w.Header().Set("Cache-Control", "no-store")
		if err := arrowsql.WriteParquet(w, rd); err != nil {
			s.log.Error("parquet download", "err", err)
		}
		return
	case "csv", "xlsx":
	default:
		s.notFound(w, r)
		return
	}
	var results []*queries.Result
	if q != nil {
		res, err := q.Run(ctx, sess, values)
		if err != nil {
			bad(err)
			return
		}
		results = append(results, res)
	} else {
		results, err = runStatements(ctx, sess, text)
		if err != nil {
			bad(err)
			return
		}
	}
	if len(results) == 0 {
		bad(errors.New("no statement returned rows"))
		return
	}
	audit()
	w.Header().Set("Cache-Control", "no-store")
	if format == "csv" {
		if len(results) > 1 {
			bad(fmt.Errorf("the statements returned %d results: a CSV holds one (download xlsx for a sheet each)", len(results)))
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", attachment(name+".csv"))
		if err := output.WriteCSV(w, results[0], output.Options{BOM: true}); err != nil {
			s.log.Error("csv download", "err", err)
		}
		return
	}
	var sheets []output.Sheet
	for i, res := range results {
		sheets = append(sheets, output.Sheet{Name: fmt.Sprintf("result %d", i+1), Result: res})
	}
	if len(sheets) == 1 {
		sheets[0].Name = "result"
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment(name+".xlsx"))
	if err := output.WriteXLSX(w, sheets); err != nil {
		s.log.Error("xlsx download", "err", err)
	}
}

// runStatements checks every statement of text, then runs them one by
// one on the session, as `shequ sql -c` does, and returns the results
// that are rows (not a status).
func runStatements(ctx context.Context, sess *data.Session, text string) ([]*queries.Result, error) {
	stmts := queries.Split(text)
	if len(stmts) == 0 {
		return nil, errors.New("no SQL statement given")
	}
	if err := queries.CheckAll(stmts, ""); err != nil {
		return nil, err
	}
	var out []*queries.Result
	for i, st := range stmts {
		res, err := queries.Exec(ctx, sess, st)
		if err != nil {
			return out, &queries.StatementError{Stmt: st, Index: i + 1, Of: len(stmts), Err: err}
		}
		if !res.Status() {
			out = append(out, res)
		}
	}
	return out, nil
}

// shown is the results as the page shows them: text as `shequ sql`
// prints it, the first sqlShown rows.
func shown(res []*queries.Result) []sqlResult {
	var out []sqlResult
	for _, r := range res {
		sr := sqlResult{Columns: r.Columns, Count: len(r.Rows)}
		for i := range r.Columns {
			sr.Numeric = append(sr.Numeric, r.Numeric(i))
		}
		strs := r.Strings()
		if len(strs) > sqlShown {
			strs, sr.Cut = strs[:sqlShown], true
		}
		sr.Rows = strs
		out = append(out, sr)
	}
	return out
}

// tables lists what the session may read, by schema.
func (s *Server) tables(ctx context.Context, sess *data.Session) map[string][]string {
	out := map[string][]string{}
	if sess.Tables != nil {
		for _, t := range sess.Tables {
			schema, name, _ := strings.Cut(t, ".")
			out[schema] = append(out[schema], name)
		}
		return out
	}
	// The city's session is the snapshot: its tables are read once.
	t, err := sess.Catalog(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_schema IN ('marts', 'official', 'closed', 'intermediate', 'staging', 'policy', 'settings') ORDER BY 1, 2`)
	if err != nil {
		return out
	}
	for i := range t.Rows {
		schema, name := t.String(i, "table_schema"), t.String(i, "table_name")
		out[schema] = append(out[schema], name)
	}
	return out
}

func toValues(m map[string]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range m {
		out[k] = []string{v}
	}
	return out
}
