package warehouse

import (
	"path/filepath"
	"strings"
)

// Files are the files and folders shequ keeps beside a warehouse file,
// named after it. They are never inside the DuckDB file: the archive and
// the key hold the districts' own data and the secret that hashes ID
// numbers, and readers open the snapshot so as never to lock the writer
// out.
type Files struct {
	Warehouse string // the DuckDB file: shequ.duckdb
	WAL       string // DuckDB's write-ahead log: shequ.duckdb.wal
	Lock      string // the advisory write lock naming its holder: shequ.duckdb.lock
	Archive   string // byte copies of every received file: shequ.duckdb.archive/
	Key       string // the key that hashes ID numbers: shequ.duckdb.key
	Snapshot  string // the read-only copy readers open: shequ.snapshot.duckdb
	// Passwords holds the web accounts' password hashes (mode 0600): the
	// snapshot analysts read is a copy of the warehouse, and no password
	// hash may be in it. shequ.duckdb.passwords
	Passwords string
	// Uploads is where the web application stages uploaded files before
	// they go to the inbox: shequ.duckdb.uploads/
	Uploads string
	// Receipts is the default folder of the districts' receipts (回执):
	// receipts/ in the warehouse's folder.
	Receipts string
	// Temp is where DuckDB spills what does not fit in its memory limit
	// while a writer has the warehouse open (removed when it closes):
	// shequ.duckdb.tmp/
	Temp string
}

// FilesOf names the files kept beside the warehouse at path.
func FilesOf(path string) Files {
	return Files{
		Warehouse: path,
		WAL:       path + ".wal",
		Lock:      path + ".lock",
		Archive:   path + ".archive",
		Key:       path + ".key",
		Passwords: path + ".passwords",
		Uploads:   path + ".uploads",
		Temp:      path + ".tmp",
		Snapshot:  strings.TrimSuffix(path, ".duckdb") + ".snapshot.duckdb",
		Receipts:  filepath.Join(filepath.Dir(path), "receipts"),
	}
}

// Files names the files kept beside the warehouse.
func (w *Warehouse) Files() Files { return FilesOf(w.Path) }
