package web

import (
	"errors"

	"shequ/web/account"
	"shequ/web/data"
	"shequ/web/flight"
)

// Flight is the Arrow Flight SQL server of the application: the same
// snapshot, accounts, API tokens, district scoping and audit log as the
// pages (`shequ serve --flight-addr`).
func (s *Server) Flight() *flight.Server {
	return flight.New(s.snap, flightAccounts{s}, s.log)
}

// flightAccounts checks Flight's callers against the accounts.
type flightAccounts struct{ s *Server }

// flightAddr stands for the client's address in the throttle and the
// audit log: gRPC's peer is not passed to the handshake's check.
const flightAddr = "flight"

func principal(u account.User) flight.Principal {
	p := flight.Principal{Name: u.Name, Scope: data.City}
	if u.Role == account.District {
		p.Scope = data.Scope{District: u.District}
	}
	return p
}

func (a flightAccounts) Token(token string) (flight.Principal, bool) {
	u, ok := a.s.users.byToken(token)
	if !ok {
		return flight.Principal{}, false
	}
	return principal(u), true
}

var errFlightLogin = errors.New("wrong name or password")

// Password checks a sign-in as the login page does: throttled per
// account, every try in the audit log. An account that must change its
// one-time password first does so in the browser.
func (a flightAccounts) Password(name, password string) (flight.Principal, error) {
	s := a.s
	audit := account.Entry{User: name, Action: account.ActLoginFailed, Address: flightAddr, Target: "Flight SQL"}
	if wait := s.throttle.wait(name, flightAddr); wait > 0 {
		audit.Detail = "throttled"
		s.wr.logAudit(audit)
		return flight.Principal{}, errFlightLogin
	}
	u, ok := s.users.get(name)
	if !ok || u.Disabled {
		account.CheckNoAccount(password)
		s.throttle.failed(name, flightAddr)
		audit.User, audit.Detail = "", "no account "+truncate(name, 64)
		s.wr.logAudit(audit)
		return flight.Principal{}, errFlightLogin
	}
	audit.Role, audit.District = u.Role, u.District
	if !account.CheckPassword(u.PasswordHash, password) || u.MustChange {
		s.throttle.failed(name, flightAddr)
		audit.Detail = "wrong password"
		if u.MustChange {
			audit.Detail = "one-time password not changed"
		}
		s.wr.logAudit(audit)
		return flight.Principal{}, errFlightLogin
	}
	s.throttle.succeeded(name)
	audit.Action, audit.OK, audit.Detail = account.ActLogin, true, ""
	s.wr.logAudit(audit)
	return principal(u), nil
}

func (a flightAccounts) Audit(p flight.Principal, what, detail string) {
	u, _ := a.s.users.get(p.Name)
	e := account.Entry{User: p.Name, Role: u.Role, District: u.District, Action: account.ActDownload, OK: true, Address: flightAddr,
		Target: "Flight SQL", Detail: truncate(detail, 500)}
	if what == "flight refused" {
		e.Action, e.OK = account.ActDenied, false
	}
	a.s.wr.logAudit(e)
}
