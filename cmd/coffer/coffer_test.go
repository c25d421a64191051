package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/coffer-custody/coffer/internal/keystore"
)

func TestMain(m *testing.M) {
	// Test-only knob, set here and nowhere else: tiny Argon2 parameters so
	// that each script's unlocks take microseconds, not a second. Users
	// cannot reach it (internal package, no flag, no variable).
	keystore.TestOnlyFastKDF()
	testscript.Main(m, map[string]func(){
		"coffer": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs every CLI behaviour in testdata/script, one script per
// behaviour, the way age tests its CLI.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			e.Setenv("COFFER_VAULT", filepath.Join(e.WorkDir, "vault"))
			e.Setenv("HOME", filepath.Join(e.WorkDir, "home"))
			// $PSBT: the PSBT fixtures (testdata/psbt, read-only for scripts).
			psbtDir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "psbt"))
			e.Setenv("PSBT", psbtDir)
			return err
		},
		Condition: interopCondition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":    cmdExitCode,
			"perm":        cmdPerm,
			"splitshares": cmdSplitShares,
			"jsonfield":   cmdJSONField,
			"typo":        cmdTypo,
		},
	})
}

// exitcode N PROG ARGS... runs PROG and checks that it exits with status N;
// stdout and stderr are kept for the next commands.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// perm MODE FILE checks a file's permission bits (e.g. perm 0600 vault/keystore.json).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm MODE FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil {
		ts.Fatalf("perm: %v", err)
	}
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := uint64(fi.Mode().Perm())
	if (got == want) == neg {
		ts.Fatalf("%s has mode %04o, want %s%04o", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// splitshares FILE writes each "share N/M HOLDER: words" line of FILE to
// shareN.txt, as a holder would keep it.
func cmdSplitShares(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: splitshares FILE")
	}
	n := 0
	for _, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
		var i, m int
		if _, err := fmt.Sscanf(line, "share %d/%d", &i, &m); err != nil {
			continue
		}
		_, words, ok := strings.Cut(line, ": ")
		if !ok {
			ts.Fatalf("share line without words: %q", line)
		}
		ts.Check(os.WriteFile(ts.MkAbs(fmt.Sprintf("share%d.txt", i)), []byte(words+"\n"), 0o600))
		n++
	}
	if n == 0 {
		ts.Fatalf("no share lines in %s", args[0])
	}
}

// jsonfield FILE FIELD VAR sets $VAR to the top-level string FIELD of the
// JSON object in FILE.
func cmdJSONField(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: jsonfield FILE FIELD VAR")
	}
	var obj map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &obj))
	v, ok := obj[args[1]].(string)
	if !ok {
		ts.Fatalf("%s has no string field %q", args[0], args[1])
	}
	ts.Setenv(args[2], v)
}

// interopCondition answers [interop:TOOL]: true when TOOL is on PATH. When
// COFFER_REQUIRE_INTEROP=1 (CI) a missing tool is an error, not a skip, so
// the interop checks cannot silently stop running.
func interopCondition(cond string) (bool, error) {
	tool, ok := strings.CutPrefix(cond, "interop:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("COFFER_REQUIRE_INTEROP") == "1" {
			return false, fmt.Errorf("%s is required for the interop tests (COFFER_REQUIRE_INTEROP=1): run 'make deps'", tool)
		}
		return false, nil
	}
	return true, nil
}

// typo SRC DST copies a share or mnemonic file with its third word
// mistyped (an "x" put in front: no SLIP-39 or BIP39 word starts with x),
// as an officer might type it.
func cmdTypo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: typo SRC DST")
	}
	words := strings.Fields(ts.ReadFile(args[0]))
	if len(words) < 3 {
		ts.Fatalf("%s has fewer than 3 words", args[0])
	}
	words[2] = "x" + words[2]
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(strings.Join(words, " ")+"\n"), 0o600))
}
