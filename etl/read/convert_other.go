//go:build !unix

package read

import "os/exec"

// ownGroup does nothing where there are no process groups: cancelling cmd
// kills its own process.
func ownGroup(cmd *exec.Cmd) {}
