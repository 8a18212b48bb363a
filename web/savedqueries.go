package web

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"

	"shequ/queries"
)

var (
	libraryOnce sync.Once
	library     *queries.Library
)

// savedQueries are the saved analyst queries built into shequ
// (queries/*.sql).
func (s *Server) savedQueries() []*queries.Query {
	libraryOnce.Do(func() {
		lib, err := queries.LoadEmbedded()
		if err != nil {
			s.log.Error("load the saved queries", "err", err)
			lib = &queries.Library{}
		}
		library = lib
	})
	return library.List()
}

func (s *Server) savedQuery(name string) *queries.Query {
	for _, q := range s.savedQueries() {
		if q.Name == name {
			return q
		}
	}
	return nil
}

// queryValues are the saved query's parameters given in the URL (a
// parameter left empty takes its default).
func queryValues(q *queries.Query, u url.Values) map[string]string {
	out := map[string]string{}
	for _, p := range q.Params {
		if v := u.Get(p.Name); v != "" {
			out[p.Name] = v
		}
	}
	return out
}

// queryShow is GET /queries/{name}?PARAM=…: a saved query's form, and its
// result when every required parameter has a value (or what is missing,
// when its form was sent without).
func (s *Server) queryShow(w http.ResponseWriter, r *http.Request) {
	q := s.savedQuery(r.PathValue("name"))
	if q == nil {
		s.notFound(w, r)
		return
	}
	c := callerOf(r)
	values := ownDistrict(q, queryValues(q, r.URL.Query()), c.District)
	sd := &sqlData{Saved: s.savedQueries(), Query: q, Values: values, Own: c.District}
	ctx, cancel := context.WithTimeout(r.Context(), sqlTimeout)
	defer cancel()
	sess, err := s.snap.SQL(ctx, c.Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer sess.Close()
	// It runs as soon as every required parameter has a value: a link
	// with them runs it again.
	ready := true
	for _, p := range q.Params {
		if !p.HasDefault && values[p.Name] == "" {
			ready = r.URL.Query().Get("run") != "" // the form sent without it: say what is missing
		}
	}
	if ready {
		sd.Ran = true
		start := time.Now()
		res, err := q.Run(ctx, sess, values)
		sd.Took = time.Since(start).Round(time.Millisecond).String()
		if err != nil {
			sd.Error = err.Error()
		} else {
			sd.Results = shown([]*queries.Result{res})
			v := url.Values(toValues(values))
			for _, f := range []string{"csv", "xlsx", "parquet"} {
				sd.Downloads = append(sd.Downloads, [2]string{f, "/queries/" + q.Name + "/result." + f + "?" + v.Encode()})
			}
		}
	}
	s.render(w, r, http.StatusOK, "sql", &view{Title: q.Name, Nav: "sql", Fresh: sess.Published, Data: sd})
}

// queryDownload is GET /queries/{name}/result.{csv,xlsx,parquet}?PARAM=….
func (s *Server) queryDownload(w http.ResponseWriter, r *http.Request) {
	q := s.savedQuery(r.PathValue("name"))
	if q == nil {
		s.notFound(w, r)
		return
	}
	s.downloadWith(w, r, q.Name, "", q, ownDistrict(q, queryValues(q, r.URL.Query()), callerOf(r).District))
}

// ownDistrict fixes a saved query's district parameter to a district
// account's own district (its session holds no other anyway).
func ownDistrict(q *queries.Query, values map[string]string, own string) map[string]string {
	if own != "" && q.Param("district") != nil {
		values["district"] = own
	}
	return values
}
