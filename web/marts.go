package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"shequ/web/account"
	"shequ/web/data"
)

type martsData struct {
	Names    []string
	CityOnly map[string]bool
	Name     string
	Year     int
	District string
	Table    *data.Table
}

// martsShow lists the marts.
func (s *Server) martsShow(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	md := martsData{Names: data.Marts(), CityOnly: map[string]bool{}}
	for _, n := range md.Names {
		md.CityOnly[n] = data.MartCityOnly(n) && !c.Scope().IsCity()
	}
	s.render(w, r, http.StatusOK, "marts", &view{Title: "数据集市", Nav: "marts", Data: md})
}

// martQuery reads ?year= and ?district= and the mart's rows in the
// caller's scope. A district account names no district or its own; the
// default is its own.
func (s *Server) martQuery(r *http.Request) (*data.Read, func(), martsData, error) {
	c := callerOf(r)
	md := martsData{Name: r.PathValue("name"), District: r.URL.Query().Get("district")}
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2200 {
			return nil, nil, md, errBadYear
		}
		md.Year = n
	}
	rd, done, err := s.snap.Open(r.Context(), c.Scope())
	if err != nil {
		return nil, nil, md, err
	}
	md.Table, err = rd.Mart(r.Context(), md.Name, md.Year, md.District)
	if err != nil {
		done()
		return nil, nil, md, err
	}
	return rd, done, md, nil
}

var errBadYear = errors.New("year must be a year such as 2014")

// martShow shows a mart as a table.
func (s *Server) martShow(w http.ResponseWriter, r *http.Request) {
	rd, done, md, err := s.martQuery(r)
	if s.martError(w, r, err) {
		return
	}
	defer done()
	s.render(w, r, http.StatusOK, "mart", &view{Title: "marts." + md.Name, Nav: "marts", Fresh: rd.Published, Data: md})
}

// martAPI is GET /api/marts/NAME?year=Y&district=D: the mart's rows the
// caller may see, as JSON, made once per snapshot and scope.
func (s *Server) martAPI(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	rd, done, err := s.snap.Open(r.Context(), c.Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	body, err := rd.Memo(r.Context(), rd.MemoKey("api", r.URL.Path, r.URL.Query().Encode()), func() ([]byte, error) {
		_, done, md, err := s.martQuery(r)
		if err != nil {
			return nil, err
		}
		defer done()
		var buf bytes.Buffer
		err = encodeMart(&buf, md.Name, rd.Published.Format("2006-01-02T15:04:05Z07:00"), md.Table)
		return buf.Bytes(), err
	})
	if s.martError(w, r, err) {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

func (s *Server) martError(w http.ResponseWriter, r *http.Request, err error) bool {
	c := callerOf(r)
	switch {
	case err == nil:
		return false
	case errors.Is(err, data.ErrForbidden):
		s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActDenied, Target: r.URL.RequestURI(), Address: c.addr})
		s.forbidden(w, r, fmt.Sprintf("您只能查看%s的数据", c.District))
	case errors.Is(err, data.ErrUnknownMart):
		s.notFound(w, r)
	case errors.Is(err, errBadYear):
		if isAPI(r) {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "bad_year", MessageZh: "年度应为四位数字，例如 2014"})
		} else {
			s.renderError(w, r, http.StatusBadRequest, "年度应为四位数字，例如 2014")
		}
	default:
		s.fail(w, r, err)
	}
	return true
}

// encodeMart writes what json.Encoder (HTML escaped) writes of
// {"mart": mart, "as_of": asOf, "columns": t.Columns, "rows": t.Records()}
// without making a map of each row: the keys of an object in order, a
// row's columns by name (the last of a name, as a map keeps it), each
// name encoded once. A mart of a year has up to some 30 000 rows at the
// province (evaluation_scores: 6.9 MB).
func encodeMart(buf *bytes.Buffer, mart, asOf string, t *data.Table) error {
	str := func(v any) error {
		b, err := json.Marshal(v)
		buf.Write(b)
		return err
	}
	buf.WriteString(`{"as_of":`)
	str(asOf)
	buf.WriteString(`,"columns":`)
	if err := str(t.Columns); err != nil {
		return err
	}
	buf.WriteString(`,"mart":`)
	str(mart)
	buf.WriteString(`,"rows":[`)
	last := map[string]int{}
	for i, c := range t.Columns {
		last[c] = i
	}
	names := make([]string, 0, len(last))
	for c := range last {
		names = append(names, c)
	}
	slices.Sort(names)
	keys := make([][]byte, len(names))
	for i, c := range names {
		k, _ := json.Marshal(c)
		keys[i] = append(k, ':')
	}
	for r, row := range t.Rows {
		if r > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		for i, c := range names {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(keys[i])
			switch v := row[last[c]].(type) {
			case nil:
				buf.WriteString("null")
			case json.Number:
				if v == "" {
					v = "0" // as encoding/json writes it
				}
				buf.WriteString(string(v))
			case int64:
				buf.WriteString(strconv.FormatInt(v, 10))
			case int32:
				buf.WriteString(strconv.FormatInt(int64(v), 10))
			case bool:
				buf.WriteString(strconv.FormatBool(v))
			default:
				if err := str(v); err != nil {
					return err
				}
			}
		}
		buf.WriteByte('}')
	}
	buf.WriteString("]}\n")
	return nil
}
