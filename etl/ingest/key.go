package ingest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shequ/internal/atomic"
	"shequ/warehouse"
)

// The key that hashes ID numbers (DOMAIN.md §5) is kept outside the
// warehouse file: in $SHEQU_ID_KEY when set, else in the key file beside
// the warehouse (<warehouse>.key, mode 0600). A copy of the warehouse alone
// cannot be used to test guessed ID numbers.
//
// The warehouse keeps the key's fingerprint (ops.id_key): HMAC-SHA256 of a
// fixed label under the key, from which the key cannot be found. An ingest
// hashes only with the key of that fingerprint: with another key the same
// person would get a second hash and no longer match across projects and
// years. So a key file deleted between runs is not silently made anew: the
// ingest is refused, saying how to restore the key. A new key is made only
// for a warehouse that has no fingerprint and no hashed ID number yet; to
// change the key on purpose there is `shequ key rotate` (RotateKey).

// KeyEnv is the environment variable that can hold the ID key.
const KeyEnv = "SHEQU_ID_KEY"

// KeyPath is the key file of the warehouse at warehousePath.
func KeyPath(warehousePath string) string { return warehouse.FilesOf(warehousePath).Key }

// fingerprintLabel is what the fingerprint is the HMAC of.
const fingerprintLabel = "shequ ID key fingerprint v1"

// Fingerprint is the key's fingerprint, in hex: HMAC-SHA256 of a fixed
// label with the key. It says which key a warehouse was hashed with
// without saying the key.
func Fingerprint(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(fingerprintLabel))
	return hex.EncodeToString(m.Sum(nil))
}

// Short is a fingerprint shortened for messages.
func Short(fingerprint string) string {
	if len(fingerprint) > 16 {
		return fingerprint[:16]
	}
	return fingerprint
}

// A Key is the ID key with where it comes from.
type Key struct {
	Bytes       []byte
	Fingerprint string
	// Source is the key file's path, or $SHEQU_ID_KEY.
	Source  string
	FromEnv bool
	// Created is set when OpenIDKey made the key, for a new warehouse.
	Created bool
}

// ReadKey reads the ID key of the warehouse at warehousePath:
// $SHEQU_ID_KEY when set, else the key file. Without either the error
// wraps fs.ErrNotExist.
func ReadKey(warehousePath string) (*Key, error) {
	if k := os.Getenv(KeyEnv); k != "" {
		return &Key{Bytes: []byte(k), Fingerprint: Fingerprint([]byte(k)), Source: "$" + KeyEnv, FromEnv: true}, nil
	}
	return ReadKeyFile(KeyPath(warehousePath))
}

// ReadKeyFile reads a key file (the warehouse's, or a backup of it).
func ReadKeyFile(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k := strings.TrimSpace(string(b))
	if k == "" {
		return nil, fmt.Errorf("ID key file %s is empty", path)
	}
	return &Key{Bytes: []byte(k), Fingerprint: Fingerprint([]byte(k)), Source: path}, nil
}

// WriteKeyFile writes key to path, atomically, readable by the owner only
// (0600), creating a missing folder 0700.
func WriteKeyFile(path string, key []byte) error {
	return atomic.WriteFileMode(path, atomic.Secret, atomic.SecretDir, func(w io.Writer) error {
		_, err := w.Write(append(append([]byte(nil), key...), '\n'))
		return err
	})
}

// Recorded is the fingerprint of the ID key a warehouse uses.
type Recorded struct {
	Fingerprint string
	Created     time.Time
	Source      string
}

// querier is what RecordedKey and HashedIDs read with.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// RecordedKey returns the fingerprint of the key the warehouse uses, or
// nil when it has none yet (or is older than fingerprints: ops.id_key came
// with migration 0003).
func RecordedKey(ctx context.Context, db querier) (*Recorded, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'ops' AND table_name = 'id_key'`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	var r Recorded
	var src sql.NullString
	err := db.QueryRowContext(ctx, `SELECT fingerprint, created_at, source FROM ops.id_key
		WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`).Scan(&r.Fingerprint, &r.Created, &src)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	r.Source = src.String
	return &r, err
}

// HashedIDs counts the staff rows whose ID number is hashed, superseded
// rows included: every one of them was hashed with the warehouse's key.
func HashedIDs(ctx context.Context, db querier) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM raw.staff WHERE id_number_hash IS NOT NULL`).Scan(&n)
	return n, err
}

func record(ctx context.Context, db *sql.DB, k *Key) error {
	_, err := db.ExecContext(ctx, `INSERT INTO ops.id_key (fingerprint, created_at, source) VALUES (?, now()::TIMESTAMP, ?)`,
		k.Fingerprint, k.Source)
	return err
}

// KeyError is an ID key that cannot be used with the warehouse: missing,
// or not the one its ID numbers were hashed with.
type KeyError struct {
	// Path is the warehouse's key file.
	Path string
	// Have is the key found (nil when there is none).
	Have *Key
	// Want is the fingerprint the warehouse keeps ("" for a warehouse
	// from before fingerprints, whose hashes were made with a key now lost).
	Want string
	// Hashed counts the warehouse's hashed ID numbers.
	Hashed int64
}

func (e *KeyError) Error() string {
	var b strings.Builder
	want := "the key of fingerprint " + Short(e.Want)
	if e.Want == "" {
		want = "a key that is no longer there"
	}
	switch {
	case e.Have == nil:
		fmt.Fprintf(&b, "the ID key file %s is missing (and $%s is not set), but this warehouse's ID numbers (%d staff rows) were hashed with %s", e.Path, KeyEnv, e.Hashed, want)
	default:
		fmt.Fprintf(&b, "the ID key in %s (fingerprint %s) is not the key this warehouse's ID numbers (%d staff rows) were hashed with, %s", e.Have.Source, Short(e.Have.Fingerprint), e.Hashed, want)
	}
	fmt.Fprintf(&b, ": hashing with another key would give the same person a second hash, so nothing was hashed or loaded. "+
		"Restore the key from your backup (`shequ key backup --out FILE` made one): `shequ key restore FILE` puts it back at %s, "+
		"or set $%s to it. Only if the key is lost for good, `shequ key rotate --force` starts a new one, and persons will no longer match across the rotation.", e.Path, KeyEnv)
	b.WriteString("\n身份证号哈希密钥")
	if e.Have == nil {
		fmt.Fprintf(&b, "文件 %s 不存在（也未设置 %s）", e.Path, KeyEnv)
	} else {
		fmt.Fprintf(&b, "（%s，指纹 %s）与本仓库哈希身份证号所用的密钥不符", e.Have.Source, Short(e.Have.Fingerprint))
	}
	fmt.Fprintf(&b, "。用别的密钥会使同一人得到两个哈希值，因此本次未哈希、未加载任何数据。"+
		"请用备份恢复密钥：运行 shequ key restore 备份文件（恢复到 %s），或把环境变量 %s 设为该密钥。"+
		"只有确认密钥已永久丢失时，才运行 shequ key rotate --force 生成新密钥；轮换前后的同一人将无法再匹配。", e.Path, KeyEnv)
	return b.String()
}

// OpenIDKey returns the key for hashing ID numbers into the warehouse at
// warehousePath (db, open for writing), checked against the fingerprint
// the warehouse keeps:
//   - the key found has the fingerprint kept: it is used;
//   - the key found has another fingerprint: *KeyError;
//   - no key is found and the warehouse keeps a fingerprint, or already
//     holds hashed ID numbers: *KeyError, and no key is made;
//   - the warehouse keeps no fingerprint yet: the key found, or a new
//     random one written to the key file (0600), is used and its
//     fingerprint kept.
func OpenIDKey(ctx context.Context, db *sql.DB, warehousePath string) (*Key, error) {
	rec, err := RecordedKey(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("read the ID key's fingerprint: %w", err)
	}
	if rec == nil {
		// ops.id_key is created by migration 0003, which a writer applies.
		if _, err := db.ExecContext(ctx, `SELECT 1 FROM ops.id_key LIMIT 0`); err != nil {
			return nil, fmt.Errorf("the warehouse has no ops.id_key: open it for writing first (%w)", err)
		}
	}
	path := KeyPath(warehousePath)
	k, err := ReadKey(warehousePath)
	switch {
	case err == nil && rec != nil:
		if k.Fingerprint != rec.Fingerprint {
			n, _ := HashedIDs(ctx, db)
			return nil, &KeyError{Path: path, Have: k, Want: rec.Fingerprint, Hashed: n}
		}
		return k, nil
	case err == nil:
		// A first use, or a warehouse from before fingerprints: its
		// hashes were made with this key, the only one it has had.
		return k, record(ctx, db, k)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case rec != nil:
		n, _ := HashedIDs(ctx, db)
		return nil, &KeyError{Path: path, Want: rec.Fingerprint, Hashed: n}
	}
	n, err := HashedIDs(ctx, db)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, &KeyError{Path: path, Hashed: n}
	}
	k, err = createKeyFile(path)
	if err != nil {
		return nil, err
	}
	return k, record(ctx, db, k)
}

// createKeyFile writes a new random key to path, which must not exist.
func createKeyFile(path string) (*Key, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	k := hex.EncodeToString(raw)
	if err := atomic.MkdirAll(filepath.Dir(path), atomic.SecretDir); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, atomic.Secret)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(k + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	return &Key{Bytes: []byte(k), Fingerprint: Fingerprint([]byte(k)), Source: path, Created: true}, nil
}

// IDKey returns the key for hashing ID numbers into the warehouse at
// warehousePath, which this process holds open for writing
// (warehouse.Writing), checked against the fingerprint the warehouse
// keeps: see OpenIDKey.
func IDKey(warehousePath string) ([]byte, error) {
	w := warehouse.Writing(warehousePath)
	if w == nil {
		return nil, fmt.Errorf("the ID key is checked against the warehouse %s, which is not open for writing", warehousePath)
	}
	k, err := OpenIDKey(context.Background(), w.DB, w.Path)
	if err != nil {
		return nil, err
	}
	return k.Bytes, nil
}

// RestoreKey puts the key of the file from back as the warehouse's key
// file (0600), after checking it is the key the warehouse keeps the
// fingerprint of (a warehouse without one takes it and keeps its
// fingerprint). It returns the key.
func RestoreKey(ctx context.Context, db *sql.DB, warehousePath, from string) (*Key, error) {
	k, err := ReadKeyFile(from)
	if err != nil {
		return nil, err
	}
	rec, err := RecordedKey(ctx, db)
	if err != nil {
		return nil, err
	}
	path := KeyPath(warehousePath)
	if rec != nil && rec.Fingerprint != k.Fingerprint {
		return nil, fmt.Errorf("%s holds the key of fingerprint %s, not this warehouse's key (fingerprint %s): nothing was restored "+
			"(备份中的密钥与仓库记录的指纹不符，未恢复)", from, Short(k.Fingerprint), Short(rec.Fingerprint))
	}
	// A warehouse without a fingerprint (a new one, or one from before
	// fingerprints) takes the key, as OpenIDKey would.
	if err := WriteKeyFile(path, k.Bytes); err != nil {
		return nil, err
	}
	k.Source = path
	if rec == nil {
		if err := record(ctx, db, k); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// RotateError refuses a rotation that would split persons in two.
type RotateError struct{ Hashed int64 }

func (e *RotateError) Error() string {
	return fmt.Sprintf("the warehouse holds %d hashed ID numbers, and ID numbers are not kept, so they cannot be hashed again with a new key: "+
		"after a rotation the same person will no longer match across it (their rows before and after get different hashes). "+
		"Back up the current key first (shequ key backup --out FILE), then rotate with --force if that is what you want "+
		"(仓库已有 %d 个身份证号哈希，原号码未保存，无法用新密钥重新哈希；轮换后同一人在轮换前后将无法匹配。确需轮换请先备份，再加 --force)",
		e.Hashed, e.Hashed)
}

// RotateKey makes the warehouse use a new key from now on: $SHEQU_ID_KEY
// when set (the operator chose it), else a new random key written to the
// key file (0600). The old fingerprint is kept in ops.id_key as retired.
// ID numbers are not stored, so nothing can be hashed again: when the
// warehouse already holds hashed ID numbers the rotation is refused with a
// *RotateError unless force is set, and then the same person no longer
// matches across the rotation. It returns the new key and the number of
// hashed ID numbers made with earlier keys.
func RotateKey(ctx context.Context, db *sql.DB, warehousePath string, force bool) (*Key, int64, error) {
	n, err := HashedIDs(ctx, db)
	if err != nil {
		return nil, 0, err
	}
	if n > 0 && !force {
		return nil, n, &RotateError{Hashed: n}
	}
	rec, err := RecordedKey(ctx, db)
	if err != nil {
		return nil, n, err
	}
	path := KeyPath(warehousePath)
	var k *Key
	if v := os.Getenv(KeyEnv); v != "" {
		k = &Key{Bytes: []byte(v), Fingerprint: Fingerprint([]byte(v)), Source: "$" + KeyEnv, FromEnv: true}
	} else {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, n, err
		}
		s := hex.EncodeToString(raw)
		k = &Key{Bytes: []byte(s), Fingerprint: Fingerprint([]byte(s)), Source: path, Created: true}
	}
	if rec != nil && rec.Fingerprint == k.Fingerprint {
		return nil, n, fmt.Errorf("$%s holds the key the warehouse already uses (fingerprint %s): set it to the new key, or unset it for a new key file", KeyEnv, Short(k.Fingerprint))
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, n, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, n, err
	}
	rollback := func(err error) (*Key, int64, error) {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, n, err
	}
	if _, err := conn.ExecContext(ctx, `UPDATE ops.id_key SET retired_at = now()::TIMESTAMP WHERE retired_at IS NULL`); err != nil {
		return rollback(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO ops.id_key (fingerprint, created_at, source) VALUES (?, now()::TIMESTAMP, ?)`,
		k.Fingerprint, k.Source); err != nil {
		return rollback(err)
	}
	if !k.FromEnv {
		if err := WriteKeyFile(path, k.Bytes); err != nil {
			return rollback(err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, n, fmt.Errorf("record the new key's fingerprint: %w (the new key is in %s)", err, k.Source)
	}
	return k, n, nil
}
