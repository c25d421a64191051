// Command coffer is the offline signer of Coffer: key ceremonies, the
// encrypted vault, watch-only exports and (in later commands) review and
// signing of PSBTs. It links no network code; see ARCHITECTURE.md.
package main

import (
	"io"
	"os"

	"github.com/coffer-custody/coffer/internal/secret"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code. It is the
// only place that turns an error into an exit code; nothing below it exits.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Core dumps off and the process not dumpable before any secret is read.
	if err := secret.Harden(); err != nil {
		printWarning(stderr, "could not disable core dumps: %v", err)
	}
	root := newRootCommand(newEnv())
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	return reportError(stderr, err)
}
