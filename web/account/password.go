package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The argon2id cost: OWASP's recommended configuration (19 MiB, two
// passes, one lane), memory-hard and about a fifth of a second on the
// bureau's two-core server. A hash keeps its own parameters, so they can
// be raised later without invalidating the hashes made before.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLen is the shortest password a user may choose.
const MinPasswordLen = 10

// hashSlots bounds the argon2id hashes computed at once (each takes its
// memory whole): a burst of logins queues instead of taking the memory of
// all of them.
var hashSlots = make(chan struct{}, 2)

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=19456,t=2,p=1$salt$hash).
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	hashSlots <- struct{}{}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	<-hashSlots
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash, comparing in
// constant time. A malformed hash never matches.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 10 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	hashSlots <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	<-hashSlots
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a login names no account, so that
// the answer takes as long as for a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no account has this password")
	return h
})

// CheckNoAccount spends the time of a password check, for a name that
// has no account (or a disabled one).
func CheckNoAccount(password string) { CheckPassword(dummyHash(), password) }

// readable is the alphabet of generated passwords: no 0/O, 1/l/I.
const readable = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewPassword returns a random one-time password of 16 characters (about
// 93 bits), grouped by four for reading aloud: abcd-efgh-ijkm-npqr.
func NewPassword() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(readable[int(c)%len(readable)])
	}
	return s.String()
}

// TokenPrefix starts every API token, so that one found in a log or a
// script is recognised.
const TokenPrefix = "shequ_"

// NewToken returns a new API token and the SHA-256 the warehouse keeps.
func NewToken() (token, sum string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, TokenSum(token)
}

// TokenSum is the SHA-256 of a token in hex: what is stored and looked up.
func TokenSum(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// CheckNewPassword says what is wrong with a password a user chose, in
// Chinese, or returns nil.
func CheckNewPassword(password, name string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return fmt.Errorf("密码至少 %d 个字符", MinPasswordLen)
	case len(password) > 256:
		return errors.New("密码过长（最多 256 字节）")
	case strings.EqualFold(password, name):
		return errors.New("密码不能与账户名相同")
	}
	return nil
}
