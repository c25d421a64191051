package main

import (
	"testing"

	"github.com/coffer-custody/coffer/internal/cli"
)

// TestEveryCommandChecksItsArguments: a command without an argument check
// would take stray arguments and ignore them.
func TestEveryCommandChecksItsArguments(t *testing.T) {
	if cmds := cli.UncheckedArgs(newRootCommand()); len(cmds) > 0 {
		t.Errorf("these commands accept any arguments: %v", cmds)
	}
}
