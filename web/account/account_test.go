package account

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shequ/warehouse"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: want argon2id in the PHC format", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tt := range []struct {
		name, hash, password string
		want                 bool
	}{
		{"right", h, "correct horse battery", true},
		{"wrong", h, "correct horse battery ", false},
		{"empty", h, "", false},
		{"not a hash", "plain text", "plain text", false},
		{"another algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery", false},
		{"absurd cost", strings.Replace(h, "m=19456", "m=99999999", 1), "correct horse battery", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.hash, tt.password); got != tt.want {
				t.Errorf("CheckPassword = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewPasswordAndToken(t *testing.T) {
	p := NewPassword()
	if len(p) != 19 || strings.Count(p, "-") != 3 || strings.ContainsAny(p, "0O1lI") {
		t.Errorf("one-time password %q: want four groups of four readable characters", p)
	}
	if NewPassword() == p {
		t.Error("two one-time passwords are equal")
	}
	tok, sum := NewToken()
	if !strings.HasPrefix(tok, TokenPrefix) || len(sum) != 64 || TokenSum(tok) != sum || strings.Contains(sum, tok) {
		t.Errorf("token %q, sum %q", tok, sum)
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		u    User
		ok   bool
	}{
		{"planner", User{Name: "王芳", Role: Planner}, true},
		{"district", User{Name: "lj.clerk@临江", Role: District, District: "临江区"}, true},
		{"district without its district", User{Name: "lj", Role: District}, false},
		{"planner with a district", User{Name: "p", Role: Planner, District: "临江区"}, false},
		{"unknown role", User{Name: "m", Role: "mayor"}, false},
		{"space in the name", User{Name: "a b", Role: Admin}, false},
		{"path in the name", User{Name: "../x", Role: Admin}, false},
		{"empty name", User{Role: Admin}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.u.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
	if err := CheckNewPassword("short", "x"); err == nil {
		t.Error("a 5-character password accepted")
	}
	if err := CheckNewPassword("administrator", "administrator"); err == nil {
		t.Error("the account's name accepted as its password")
	}
}

// TestHashesStayOutOfTheSnapshot: the read-only snapshot analysts read is a
// byte copy of the warehouse, so no password hash may be in the warehouse
// file: the hashes are in a file of their own, readable by its owner only.
func TestHashesStayOutOfTheSnapshot(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := warehouse.Open(ctx, path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st := Store{DB: w.DB}
	if err := st.Add(ctx, User{Name: "wangfang", Role: Planner}, "correct horse battery", false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetPassword(ctx, "wangfang", "another long password", false); err != nil {
		t.Fatal(err)
	}
	u, hash, err := st.Get(ctx, "wangfang")
	if err != nil || !CheckPassword(hash, "another long password") || u.PasswordHash != hash {
		t.Fatalf("get: %+v %v", u, err)
	}
	snap, err := w.PublishSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, snap.Path} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("$argon2id$")) {
			t.Errorf("%s holds a password hash", f)
		}
	}
	info, err := os.Stat(warehouse.FilesOf(path).Passwords)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("password file: %v %v, want mode 600", info, err)
	}
}
