package main

import (
	"io"

	"github.com/coffer-custody/coffer/internal/cli"
)

// Short names for the shared contract of internal/cli.
const (
	exitOK         = cli.ExitOK
	exitError      = cli.ExitError
	exitPassphrase = cli.ExitPassphrase
	exitRefused    = cli.ExitRefused
	exitDoctor     = cli.ExitDoctor
)

const prog = "coffer"

func fail(code int, err error, hint string) error { return cli.Fail(code, err, hint) }

func failf(hint string, format string, args ...any) error { return cli.Failf(hint, format, args...) }

func reportError(w io.Writer, err error) int { return cli.Report(w, prog, err) }

func printWarning(w io.Writer, format string, args ...any) { cli.Warn(w, prog, format, args...) }

func writeJSON(w io.Writer, v any) error { return cli.WriteJSON(w, v) }

// checkNewFile refuses an output path that could not be created at the
// command's end (it exists, or its folder is missing or read-only); call it
// before unlocking, signing or journaling. flag names the path's flag, or "".
func checkNewFile(flag, path string) error { return cli.CheckNewFile(prog, flag, path) }
