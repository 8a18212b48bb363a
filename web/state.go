package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"shequ/web/data"
)

// state is what a dashboard page shows, all of it in its URL, so a copied
// link shows the same figures: the year, the figures' version (official,
// working, or a closed version), the district, street, community or
// project drilled into, and the page's own fields (a trial budget …).
type state struct {
	Path  string // the page's path, without .xlsx
	Year  int
	Years []int
	// Source is the version of the figures; Versions the closed versions
	// of the year.
	Source   data.Source
	Versions []data.Version
	District string
	// Own is set for a district account: its district, fixed.
	Own string
	// Extra are the page's other parameters, in its URL as they are.
	Extra url.Values
}

// errBadState is a parameter no page takes (a year not a year, a version
// not a version).
var errBadState = errors.New("bad parameter")

// readState reads the state of a page from its URL: the year (the latest
// with data by default), the version, the district (a district account's
// own, always), and the extra parameters named.
func (s *Server) readState(r *http.Request, rd *data.Read, extra ...string) (*state, error) {
	c := callerOf(r)
	q := r.URL.Query()
	st := &state{Path: strings.TrimSuffix(r.URL.Path, ".xlsx"), Extra: url.Values{}}
	years, err := rd.Years(r.Context())
	if err != nil {
		return nil, err
	}
	st.Years = years
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2200 {
			return nil, errBadYear
		}
		st.Year = n
	} else if len(years) > 0 {
		st.Year = years[0]
	} else {
		st.Year = s.now().In(data.Shanghai).Year()
	}
	if !slices.Contains(st.Years, st.Year) {
		st.Years = append(st.Years, st.Year)
		slices.Sort(st.Years)
		slices.Reverse(st.Years)
	}
	if st.Source, err = data.ParseSource(q.Get("version"), st.Year); err != nil {
		return nil, errBadState
	}
	if st.Versions, err = rd.Versions(r.Context(), st.Year); err != nil {
		return nil, err
	}
	if err := rd.CheckSource(r.Context(), st.Source); err != nil {
		return nil, err
	}
	st.District = strings.TrimSpace(q.Get("district"))
	if c.Role != "" && !c.Scope().IsCity() {
		st.Own = c.District
		if st.District != "" && st.District != c.District {
			return nil, data.ErrForbidden
		}
		st.District = c.District
	}
	for _, k := range extra {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			if len(v) > 200 {
				return nil, errBadState
			}
			st.Extra.Set(k, v)
		}
	}
	return st, nil
}

// Get returns an extra parameter.
func (st *state) Get(k string) string { return st.Extra.Get(k) }

// values are the state's parameters.
func (st *state) values() url.Values {
	v := url.Values{}
	v.Set("year", strconv.Itoa(st.Year))
	if p := st.Source.Param(); p != "" {
		v.Set("version", p)
	}
	if st.District != "" && st.Own == "" {
		v.Set("district", st.District)
	}
	for k, vs := range st.Extra {
		v[k] = vs
	}
	return v
}

// URL is the page itself: the link that shows it again.
func (st *state) URL() string { return st.link(st.Path) }

// XLSX is the page's workbook.
func (st *state) XLSX() string { return st.link(st.Path + ".xlsx") }

// link is path with the state's year and version (and the district, for
// the city), and kv as name, value pairs: an empty value drops the
// parameter.
func (st *state) link(path string, kv ...string) string {
	v := url.Values{}
	v.Set("year", strconv.Itoa(st.Year))
	if p := st.Source.Param(); p != "" {
		v.Set("version", p)
	}
	if path == st.Path || path == st.Path+".xlsx" {
		v = st.values() // the page itself, or its workbook: all its state
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if v.Get("district") != "" && st.Own != "" {
		v.Del("district") // a district account's own, implied
	}
	return path + "?" + v.Encode()
}

// With is the page with the parameters of kv changed.
func (st *state) With(kv ...string) string { return st.link(st.Path, kv...) }

// YearURL is the page for another year (a closed version is of one year:
// another year shows the official figures).
func (st *state) YearURL(year int) string {
	return st.link(st.Path, "year", strconv.Itoa(year), "version", st.Source.ForYear(year).Param())
}
