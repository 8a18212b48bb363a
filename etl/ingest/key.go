package ingest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// IDKey returns the key for hashing ID numbers: $SHEQU_ID_KEY when set,
// else the key file beside the warehouse (<warehouse>.key), created with a
// random key on first use. The key never goes into the warehouse file, so a
// copy of the warehouse alone cannot be used to test guessed ID numbers.
func IDKey(warehousePath string) ([]byte, error) {
	if k := os.Getenv("SHEQU_ID_KEY"); k != "" {
		return []byte(k), nil
	}
	path := warehousePath + ".key"
	b, err := os.ReadFile(path)
	if err == nil {
		k := strings.TrimSpace(string(b))
		if k == "" {
			return nil, fmt.Errorf("ID key file %s is empty", path)
		}
		return []byte(k), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	k := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return IDKey(warehousePath)
		}
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(k + "\n"); err != nil {
		return nil, err
	}
	return []byte(k), f.Sync()
}
