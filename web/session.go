package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"
)

// Sessions live in the server's memory only: a restart logs everyone out,
// and nothing that opens a session is ever written to the warehouse or
// its snapshot.
const (
	sessionCookie = "shequ_session"
	loginCookie   = "shequ_login" // the login form's CSRF token, before there is a session
	sessionIdle   = 2 * time.Hour
	sessionMax    = 12 * time.Hour
	maxSessions   = 10000
)

type session struct {
	user    string
	csrf    string
	created time.Time
	seen    time.Time
	addr    string
}

type sessions struct {
	mu  sync.Mutex
	m   map[string]*session // by SHA-256 of the cookie's value
	now func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, now: now}
}

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(v string) string {
	s := sha256.Sum256([]byte(v))
	return hex.EncodeToString(s[:])
}

// create opens a session for user and returns the cookie's value.
func (ss *sessions) create(user, addr string) (string, *session) {
	v := randomToken()
	now := ss.now()
	s := &session{user: user, csrf: randomToken(), created: now, seen: now, addr: addr}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.m) >= maxSessions {
		ss.pruneLocked(now)
	}
	ss.m[sessionKey(v)] = s
	return v, s
}

// get returns the live session of a cookie's value, or nil.
func (ss *sessions) get(v string) *session {
	if v == "" {
		return nil
	}
	k := sessionKey(v)
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[k]
	if s == nil {
		return nil
	}
	if now.Sub(s.seen) > sessionIdle || now.Sub(s.created) > sessionMax {
		delete(ss.m, k)
		return nil
	}
	s.seen = now
	return s
}

func (ss *sessions) delete(v string) {
	ss.mu.Lock()
	delete(ss.m, sessionKey(v))
	ss.mu.Unlock()
}

// dropUser ends every session of user (disabled, password changed).
func (ss *sessions) dropUser(user string, keep *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, s := range ss.m {
		if s.user == user && s != keep {
			delete(ss.m, k)
		}
	}
}

func (ss *sessions) pruneLocked(now time.Time) {
	for k, s := range ss.m {
		if now.Sub(s.seen) > sessionIdle || now.Sub(s.created) > sessionMax {
			delete(ss.m, k)
		}
	}
	if len(ss.m) >= maxSessions { // still full: the oldest go
		var oldest string
		var at time.Time
		for k, s := range ss.m {
			if oldest == "" || s.seen.Before(at) {
				oldest, at = k, s.seen
			}
		}
		delete(ss.m, oldest)
	}
}

// Login throttling: after accountFailures wrong passwords for one account
// within throttleWindow, or addressFailures from one address, logins of
// that account (from anywhere) or from that address are refused until the
// window has passed since the last failure. A right password does not get
// through a refusal: guessing must not be able to tell.
const (
	accountFailures = 5
	addressFailures = 20
	throttleWindow  = 15 * time.Minute
	maxTracked      = 100000
)

type throttle struct {
	mu     sync.Mutex
	byName map[string][]time.Time
	byAddr map[string][]time.Time
	now    func() time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{byName: map[string][]time.Time{}, byAddr: map[string][]time.Time{}, now: now}
}

// wait returns how long logins of name from addr are refused; 0 lets
// them try.
func (t *throttle) wait(name, addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	w := max(t.waitLocked(t.byName, name, accountFailures, now), t.waitLocked(t.byAddr, addr, addressFailures, now))
	return w
}

func (t *throttle) waitLocked(m map[string][]time.Time, k string, limit int, now time.Time) time.Duration {
	recent := recentOnly(m[k], now)
	if len(recent) == 0 {
		delete(m, k)
		return 0
	}
	m[k] = recent
	if len(recent) < limit {
		return 0
	}
	return recent[len(recent)-1].Add(throttleWindow).Sub(now)
}

func recentOnly(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > throttleWindow {
		i++
	}
	return ts[i:]
}

// failed records a wrong password for name from addr.
func (t *throttle) failed(name, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.byName)+len(t.byAddr) > maxTracked {
		for k, v := range t.byName {
			if len(recentOnly(v, now)) == 0 {
				delete(t.byName, k)
			}
		}
		for k, v := range t.byAddr {
			if len(recentOnly(v, now)) == 0 {
				delete(t.byAddr, k)
			}
		}
	}
	t.byName[name] = append(recentOnly(t.byName[name], now), now)
	t.byAddr[addr] = append(recentOnly(t.byAddr[addr], now), now)
}

// succeeded forgets the account's failures.
func (t *throttle) succeeded(name string) {
	t.mu.Lock()
	delete(t.byName, name)
	t.mu.Unlock()
}

// rateLimit counts events per key in a sliding window.
type rateLimit struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	m      map[string][]time.Time
	now    func() time.Time
}

func newRateLimit(limit int, window time.Duration, now func() time.Time) *rateLimit {
	return &rateLimit{limit: limit, window: window, m: map[string][]time.Time{}, now: now}
}

// allow records an event for key and reports whether it is within the
// limit.
func (r *rateLimit) allow(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	ts := r.m[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > r.window {
		i++
	}
	ts = ts[i:]
	if len(ts) >= r.limit {
		r.m[key] = ts
		return false
	}
	r.m[key] = append(ts, now)
	return true
}
