package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"shequ/etl/ingest"
	"shequ/samples"
	"shequ/warehouse"
)

// shequEnv runs the binary with extra environment variables.
func shequEnv(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	return runBin(t, dir, func(cmd *exec.Cmd) { cmd.Env = append(cmd.Env, env...) }, args...)
}

// TestIDKeyIsNeverMadeAnewSilently: an ingest keeps the key's fingerprint
// in the warehouse; with the key file deleted, or another key, the next
// ingest is refused with how to restore it, and no key is made; the backup
// of `shequ key backup` restores it and the ingest goes on; a rotation is
// refused while hashed ID numbers exist, and forced it starts a new key.
func TestIDKeyIsNeverMadeAnewSilently(t *testing.T) {
	if os.Getenv(ingest.KeyEnv) != "" {
		t.Skipf("$%s is set", ingest.KeyEnv)
	}
	ctx := context.Background()
	dir := t.TempDir()
	wh := filepath.Join(dir, "shequ.duckdb")
	key := wh + ".key"
	inbox := filepath.Join(dir, "inbox")
	if _, err := samples.CopyBatch("batch1", inbox); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, int) {
		t.Helper()
		return shequ(t, dir, append(args, "--warehouse", wh)...)
	}
	if out, errOut, code := run("ingest", "--inbox", inbox); code != 0 {
		t.Fatalf("first ingest: exit %d\n%s\n%s", code, out, errOut)
	}
	st, err := os.Stat(key)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v %v", st, err)
	}
	k, err := ingest.ReadKeyFile(key)
	if err != nil {
		t.Fatal(err)
	}

	out, errOut, code := run("key", "show")
	for _, want := range []string{key + " (mode 0600)", k.Fingerprint, "uses this key"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("key show: exit %d, lacks %q\n%s%s", code, want, out, errOut)
		}
	}
	if strings.Contains(out, string(k.Bytes)) {
		t.Error("key show printed the key")
	}

	backup := filepath.Join(dir, "backup", "id.key")
	if out, errOut, code := run("key", "backup", "--out", backup); code != 0 {
		t.Fatalf("key backup: exit %d\n%s\n%s", code, out, errOut)
	}
	if b, err := ingest.ReadKeyFile(backup); err != nil || b.Fingerprint != k.Fingerprint {
		t.Fatalf("the backup: %v %v", b, err)
	}
	if st, _ := os.Stat(backup); st.Mode().Perm() != 0o600 {
		t.Errorf("the backup's mode is %04o, want 0600", st.Mode().Perm())
	}

	// The key file is deleted between runs: the next ingest is refused.
	if _, err := samples.CopyBatch("batch2", inbox); err != nil {
		t.Fatal(err)
	}
	os.Remove(key)
	out, errOut, code = run("ingest", "--inbox", inbox)
	for _, want := range []string{"ID key file " + key + " is missing", "shequ key restore", "$SHEQU_ID_KEY", "nothing was hashed or loaded", "密钥", "--force"} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("ingest without the key: exit %d, stderr lacks %q\n%s%s", code, want, out, errOut)
		}
	}
	if _, err := os.Stat(key); err == nil {
		t.Error("a new key file was made")
	}
	if _, _, code := run("key", "show"); code != 1 {
		t.Errorf("key show without the key: exit %d, want 1", code)
	}
	// Another key, from the environment: refused too.
	_, errOut, code = shequEnv(t, dir, []string{ingest.KeyEnv + "=not-the-key"}, "ingest", "--inbox", inbox, "--warehouse", wh)
	if code != 1 || !strings.Contains(errOut, "is not the key this warehouse's ID numbers") {
		t.Errorf("ingest with another key: exit %d\n%s", code, errOut)
	}
	submissions := func() int {
		t.Helper()
		w, err := warehouse.Open(ctx, wh, warehouse.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		var n int
		if err := w.DB.QueryRowContext(ctx, `SELECT count(*) FROM raw.submissions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := submissions(); n != 14 {
		t.Errorf("%d submissions after the refused ingests, want batch1's 14", n)
	}

	// A restore from another key is refused; from the backup it works.
	other := filepath.Join(dir, "other.key")
	os.WriteFile(other, []byte("0000\n"), 0o600)
	if _, errOut, code := run("key", "restore", other); code != 1 || !strings.Contains(errOut, "not this warehouse's key") {
		t.Errorf("restore of another key: exit %d, %s", code, errOut)
	}
	if out, errOut, code := run("key", "restore", backup); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("key restore: exit %d\n%s\n%s", code, out, errOut)
	}
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the restored key file: %v %v", st, err)
	}
	if out, errOut, code := run("ingest", "--inbox", inbox); code != 0 || !strings.Contains(out, "8 new files of 22") {
		t.Fatalf("ingest after the restore: exit %d\n%s\n%s", code, out, errOut)
	}
	// The key in $SHEQU_ID_KEY is as good as the file.
	if _, errOut, code := shequEnv(t, dir, []string{ingest.KeyEnv + "=" + string(k.Bytes)}, "ingest", "--inbox", inbox, "--warehouse", wh); code != 0 {
		t.Errorf("ingest with the key in the environment: exit %d\n%s", code, errOut)
	}

	// Rotating would split persons: refused without --force.
	_, errOut, code = run("key", "rotate")
	if code != 1 || !strings.Contains(errOut, "--force") || !strings.Contains(errOut, "no longer match") {
		t.Errorf("rotate: exit %d, %s", code, errOut)
	}
	if out, errOut, code := run("key", "rotate", "--force"); code != 0 || !strings.Contains(out, "retired") {
		t.Fatalf("rotate --force: exit %d\n%s\n%s", code, out, errOut)
	}
	nk, err := ingest.ReadKeyFile(key)
	if err != nil || nk.Fingerprint == k.Fingerprint {
		t.Fatalf("after the rotation the key file holds %v (%v)", nk, err)
	}
	if _, errOut, code := run("ingest", "--inbox", inbox); code != 0 {
		t.Errorf("ingest after the rotation: exit %d\n%s", code, errOut)
	}
	// The old backup is no longer the warehouse's key.
	if _, errOut, code := run("key", "restore", backup); code != 1 || !strings.Contains(errOut, "not this warehouse's key") {
		t.Errorf("restore of the retired key: exit %d, %s", code, errOut)
	}
	w, err := warehouse.Open(ctx, wh, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var keys, retired int
	w.DB.QueryRowContext(ctx, `SELECT count(*), count(retired_at) FROM ops.id_key`).Scan(&keys, &retired)
	if keys != 2 || retired != 1 {
		t.Errorf("ops.id_key has %d keys, %d retired; want 2 and 1", keys, retired)
	}
	var leaked int
	w.DB.QueryRowContext(ctx, `SELECT count(*) FROM ops.id_key WHERE fingerprint IN (?, ?)`, string(k.Bytes), string(nk.Bytes)).Scan(&leaked)
	if leaked != 0 {
		t.Error("the warehouse holds a key itself")
	}
}

// TestKeyForNewWarehouse: the first ingest of a new warehouse makes the
// key, and rotating a warehouse without hashed ID numbers needs no --force.
func TestKeyForNewWarehouse(t *testing.T) {
	if os.Getenv(ingest.KeyEnv) != "" {
		t.Skipf("$%s is set", ingest.KeyEnv)
	}
	dir := t.TempDir()
	wh := filepath.Join(dir, "w.duckdb")
	inbox := filepath.Join(dir, "inbox")
	os.Mkdir(inbox, 0o755)
	if out, _, code := shequ(t, dir, "key", "show", "--warehouse", wh); code != 0 || !strings.Contains(out, "the first ingest makes a key") {
		t.Errorf("key show before anything: exit %d\n%s", code, out)
	}
	if _, errOut, code := shequ(t, dir, "key", "backup", "--out", filepath.Join(dir, "b.key"), "--warehouse", wh); code != 1 || !strings.Contains(errOut, "no ID key to back up") {
		t.Errorf("backup without a key: exit %d %s", code, errOut)
	}
	if _, errOut, code := shequ(t, dir, "ingest", "--inbox", inbox, "--warehouse", wh); code != 0 {
		t.Fatalf("ingest: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(wh + ".key"); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := shequ(t, dir, "key", "rotate", "--warehouse", wh); code != 0 || !strings.Contains(out, "rotated") {
		t.Errorf("rotate without hashed ID numbers: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := shequ(t, dir, "key", "frobnicate", "--warehouse", wh); code != 2 || !strings.Contains(errOut, "show, backup, restore or rotate") {
		t.Errorf("unknown subcommand: exit %d %s", code, errOut)
	}
}
