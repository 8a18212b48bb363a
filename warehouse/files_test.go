package warehouse

import "testing"

func TestFilesOf(t *testing.T) {
	got := FilesOf("/data/shequ.duckdb")
	want := Files{
		Warehouse: "/data/shequ.duckdb",
		WAL:       "/data/shequ.duckdb.wal",
		Lock:      "/data/shequ.duckdb.lock",
		Archive:   "/data/shequ.duckdb.archive",
		Key:       "/data/shequ.duckdb.key",
		Passwords: "/data/shequ.duckdb.passwords",
		Uploads:   "/data/shequ.duckdb.uploads",
		Snapshot:  "/data/shequ.snapshot.duckdb",
		Receipts:  "/data/receipts",
		Temp:      "/data/shequ.duckdb.tmp",
	}
	if got != want {
		t.Errorf("FilesOf = %+v\nwant %+v", got, want)
	}
	if r := FilesOf("shequ.duckdb").Receipts; r != "receipts" {
		t.Errorf("receipts of a warehouse in the working folder = %q", r)
	}
}
