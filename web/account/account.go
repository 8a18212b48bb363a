// Package account holds the accounts of the web application and what they
// did: users with their role and district, argon2id password hashes, API
// tokens (kept as SHA-256 hashes), and the audit log. The tables are
// web.users, web.tokens and web.audit of the warehouse (migration
// 0004_web.sql); the password hashes are not: they are kept in a file of
// their own beside it (warehouse.Files.Passwords, mode 0600), because the
// read-only snapshot analysts read is a byte copy of the warehouse.
// `shequ users` and `shequ serve` both use this package.
package account

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"shequ/internal/atomic"
	"shequ/warehouse"
)

// Role is what an account may do.
type Role string

// The roles.
const (
	// Planner: the city's planners see every district: the submission
	// board, the marts, every receipt.
	Planner Role = "planner"
	// District: a district bureau's clerk submits and sees only for their
	// own district.
	District Role = "district"
	// Analyst reads the marts of the whole city (the API), not the
	// districts' files.
	Analyst Role = "analyst"
	// Admin does what a planner does, and manages accounts, the deadlines
	// and reads the audit log.
	Admin Role = "admin"
)

// Roles lists the roles in the order they are explained.
var Roles = []Role{Planner, District, Analyst, Admin}

// Zh is the role's Chinese name.
func (r Role) Zh() string {
	switch r {
	case Planner:
		return "市局规划科"
	case District:
		return "区民政局"
	case Analyst:
		return "数据分析"
	case Admin:
		return "系统管理员"
	}
	return string(r)
}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("no role %q: the roles are planner, district, analyst and admin", s)
}

// User is an account.
type User struct {
	Name       string
	Role       Role
	District   string // the district of a District account; "" otherwise
	Disabled   bool
	MustChange bool // the password was generated: choose one at the next login
	Created    time.Time
	// PasswordHash is the argon2id hash; empty in listings.
	PasswordHash string
}

// ErrNoUser is returned for a name with no account.
var ErrNoUser = errors.New("no such account")

// ErrExists is returned when adding a name that has an account.
var ErrExists = errors.New("an account with this name exists")

// CheckName says what is wrong with an account name, or nil: 1 to 64
// characters, letters (Chinese too), digits and . _ - @, no spaces.
func CheckName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 || !utf8.ValidString(name) {
		return fmt.Errorf("account name %q: 1 to 64 characters", name)
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-@", r)) {
			return fmt.Errorf("account name %q: letters, digits and . _ - @ only (no spaces)", name)
		}
	}
	return nil
}

// Validate checks a user's role and district together.
func (u User) Validate() error {
	if err := CheckName(u.Name); err != nil {
		return err
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if u.Role == District && strings.TrimSpace(u.District) == "" {
		return errors.New("a district account needs --district, the district's name as the submissions write it (e.g. 临江区)")
	}
	if u.Role != District && u.District != "" {
		return fmt.Errorf("--district is for district accounts; a %s sees the whole city", u.Role)
	}
	return nil
}

// Store reads and writes the accounts in a warehouse open for writing
// (or, for reads, any open warehouse).
type Store struct {
	DB *sql.DB
}

// Add creates an account with password.
func (s Store) Add(ctx context.Context, u User, password string, mustChange bool) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if _, _, err := s.Get(ctx, u.Name); err == nil {
		return fmt.Errorf("%s: %w", u.Name, ErrExists)
	} else if !errors.Is(err, ErrNoUser) {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.setHash(ctx, u.Name, hash); err != nil {
		return err
	}
	now := time.Now().UTC()
	_, err = s.DB.ExecContext(ctx, `INSERT INTO web.users (name, role, district, disabled, created_at, password_set_at, must_change)
		VALUES (?, ?, ?, false, ?, ?, ?)`, u.Name, string(u.Role), nullStr(u.District), now, now, mustChange)
	return err
}

// passwordFile is the file of the password hashes beside the warehouse
// the store's database is.
func (s Store) passwordFile(ctx context.Context) (string, error) {
	var path string
	if err := s.DB.QueryRowContext(ctx, `SELECT path FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&path); err != nil {
		return "", err
	}
	return warehouse.FilesOf(path).Passwords, nil
}

// hashes reads the password hashes by account name.
func (s Store) hashes(ctx context.Context) (map[string]string, error) {
	path, err := s.passwordFile(ctx)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return m, nil
}

// setHash keeps an account's password hash, replacing the file whole.
func (s Store) setHash(ctx context.Context, name, hash string) error {
	m, err := s.hashes(ctx)
	if err != nil {
		return err
	}
	m[name] = hash
	path, err := s.passwordFile(ctx)
	if err != nil {
		return err
	}
	return atomic.WriteFileMode(path, atomic.Secret, atomic.SecretDir, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(m)
	})
}

// Get returns the account named name with its password hash.
func (s Store) Get(ctx context.Context, name string) (User, string, error) {
	var u User
	var role string
	var district sql.NullString
	var hash string
	err := s.DB.QueryRowContext(ctx, `SELECT name, role, district, disabled, must_change, created_at
		FROM web.users WHERE name = ?`, name).Scan(&u.Name, &role, &district, &u.Disabled, &u.MustChange, &u.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", fmt.Errorf("%s: %w", name, ErrNoUser)
	}
	if err != nil {
		return u, "", err
	}
	hashes, err := s.hashes(ctx)
	if err != nil {
		return u, "", err
	}
	hash = hashes[name]
	u.Role, u.District, u.PasswordHash = Role(role), district.String, hash
	return u, hash, nil
}

// List returns every account, by name, with their password hashes.
func (s Store) List(ctx context.Context) ([]User, error) {
	hashes, err := s.hashes(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT name, role, district, disabled, must_change, created_at FROM web.users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var role string
		var district sql.NullString
		if err := rows.Scan(&u.Name, &role, &district, &u.Disabled, &u.MustChange, &u.Created); err != nil {
			return nil, err
		}
		u.Role, u.District, u.PasswordHash = Role(role), district.String, hashes[u.Name]
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetDisabled disables (or enables again) an account; disabling also
// revokes its API tokens.
func (s Store) SetDisabled(ctx context.Context, name string, disabled bool) error {
	res, err := s.DB.ExecContext(ctx, `UPDATE web.users SET disabled = ? WHERE name = ?`, disabled, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: %w", name, ErrNoUser)
	}
	if disabled {
		_, err = s.DB.ExecContext(ctx, `UPDATE web.tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, time.Now().UTC(), name)
	}
	return err
}

// SetPassword sets an account's password; mustChange asks the user to
// choose another at the next login (a generated one).
func (s Store) SetPassword(ctx context.Context, name, password string, mustChange bool) (string, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	res, err := s.DB.ExecContext(ctx, `UPDATE web.users SET password_set_at = ?, must_change = ? WHERE name = ?`,
		time.Now().UTC(), mustChange, name)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", fmt.Errorf("%s: %w", name, ErrNoUser)
	}
	return hash, s.setHash(ctx, name, hash)
}

// NewToken makes an API token for an account and returns it: it is
// stored only as its SHA-256, so it can be shown this once.
func (s Store) NewToken(ctx context.Context, name string) (string, error) {
	u, _, err := s.Get(ctx, name)
	if err != nil {
		return "", err
	}
	if u.Disabled {
		return "", fmt.Errorf("%s is disabled: enable it before making a token", name)
	}
	token, sum := NewToken()
	_, err = s.DB.ExecContext(ctx, `INSERT INTO web.tokens (token_sha256, name, created_at) VALUES (?, ?, ?)`, sum, name, time.Now().UTC())
	return token, err
}

// Tokens maps the SHA-256 of every live token to its account.
func (s Store) Tokens(ctx context.Context) (map[string]string, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT token_sha256, name FROM web.tokens WHERE revoked_at IS NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var sum, name string
		if err := rows.Scan(&sum, &name); err != nil {
			return nil, err
		}
		out[sum] = name
	}
	return out, rows.Err()
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}
