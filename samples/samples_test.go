package samples

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite inbox.zip from the inbox/ folder")

// TestInboxZip keeps the embedded inbox.zip identical to inbox/.
func TestInboxZip(t *testing.T) {
	want, err := zipDir("inbox")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("inbox.zip", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(want, inboxZip) {
		t.Fatal("inbox.zip differs from inbox/: run go test ./samples -run TestInboxZip -update")
	}
	fsys, err := Inbox()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if n != 22 {
		t.Errorf("inbox holds %d files, want the 22 of the sample city", n)
	}
	b, err := fs.ReadFile(fsys, "batch2/15_青山区2014年社区名册（更正）.xlsx")
	if err != nil || len(b) == 0 {
		t.Errorf("corrected roster: %d bytes, %v", len(b), err)
	}
}
