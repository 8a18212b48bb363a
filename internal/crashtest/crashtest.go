// Package crashtest kills a child process at a chosen moment of its work,
// for the tests that show a kill -9 leaves the warehouse whole: the child
// (the test binary running a helper test) writes a marker file where it
// should die and waits; KillAt sends it SIGKILL, with no chance to clean
// up.
package crashtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// KillAt starts cmd with its output in dir/child.log, waits until it has
// written marker, and kills it with SIGKILL. A child that does not get
// there within two minutes fails the test with its log.
func KillAt(t testing.TB, cmd *exec.Cmd, dir, marker string) {
	t.Helper()
	out, err := os.Create(filepath.Join(dir, "child.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			log, _ := os.ReadFile(filepath.Join(dir, "child.log"))
			t.Fatalf("the child never got where it was to be killed:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}
