// Package cli holds the message contract shared by the coffer and
// coffer-watch commands: how an error, a hint and a warning are printed,
// which exit code an error carries, and how a result is printed as JSON.
//
// The contract (as in age's cmd/age/tui.go):
//
//   - every failure prints "PROG: error: " and one sentence, lower case, no
//     final period, naming the input at fault (file, word, input #, line);
//   - where a next step exists, a second line "PROG: hint: " says it;
//   - warnings print "PROG: warning: ";
//   - no secret ever appears in any of them.
//
// A command returns an error made by Fail or Failf to choose the exit code
// and hint; any other error exits with ExitError. Only main calls Report and
// exits.
package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/coffer-custody/coffer/internal/buildinfo"
)

// Exit codes of both binaries. They are part of the interface: scripts
// branch on them, and the README lists them.
const (
	ExitOK         = 0  // done
	ExitError      = 1  // bad input, usage, a file that cannot be read or written
	ExitPassphrase = 2  // wrong passphrase for the vault
	ExitRefused    = 3  // the transaction was refused by the review; nothing was signed
	ExitDoctor     = 4  // doctor --strict found a problem
	ExitPolicy     = 10 // refused by the spending policy
	ExitApprovals  = 11 // approvals missing
)

// Error carries an exit code and an optional hint with the error.
type Error struct {
	Code int
	Err  error
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Fail wraps err with an exit code and an optional hint.
func Fail(code int, err error, hint string) error {
	return &Error{Code: code, Err: err, Hint: hint}
}

// Failf builds an error with ExitError and a hint from a format.
func Failf(hint string, format string, args ...any) error {
	return &Error{Code: ExitError, Err: fmt.Errorf(format, args...), Hint: hint}
}

// Report prints err by the contract and returns its exit code.
func Report(w io.Writer, prog string, err error) int {
	code := ExitError
	hint := ""
	var ce *Error
	if errors.As(err, &ce) {
		code = ce.Code
		hint = ce.Hint
	}
	msg := strings.TrimSpace(err.Error())
	if msg != "" {
		// cobra's own messages start with a capital letter.
		msg = strings.ToLower(msg[:1]) + msg[1:]
	}
	usage := isUsageError(msg)
	msg = flagGroupMessage(msg)
	fmt.Fprintf(w, "%s: error: %s\n", prog, msg)
	if hint == "" && code == ExitError && usage {
		hint = fmt.Sprintf("run '%s COMMAND --help' for usage", prog)
	}
	if hint != "" {
		fmt.Fprintf(w, "%s: hint: %s\n", prog, hint)
	}
	return code
}

func isUsageError(msg string) bool {
	for _, s := range []string{"unknown flag", "unknown command", "unknown shorthand", "accepts ", "requires ", "invalid argument", "flag needs an argument", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

var (
	reExclusive = regexp.MustCompile(`^if any flags in the group \[[^]]*\] are set none of the others can be; \[([^]]*)\] were all set$`)
	reTogether  = regexp.MustCompile(`^if any flags in the group \[([^]]*)\] are set they must all be set; missing \[([^]]*)\]$`)
	reOneOf     = regexp.MustCompile(`^at least one of the flags in the group \[([^]]*)\] is required$`)
	reRequired  = regexp.MustCompile(`^required flag\(s\) (.*) not set$`)
)

// flagGroupMessage says cobra's flag-group and required-flag errors the
// contract's way, naming the flags as they are typed: "--message and
// --message-file cannot be used together", not "if any flags in the group
// [message message-file] are set none of the others can be; ...".
func flagGroupMessage(msg string) string {
	flags := func(list string, sep string) []string {
		var out []string
		for _, f := range strings.Split(list, sep) {
			if f = strings.Trim(strings.TrimSpace(f), `"`); f != "" {
				out = append(out, "--"+f)
			}
		}
		return out
	}
	if m := reExclusive.FindStringSubmatch(msg); m != nil {
		return joinAnd(flags(m[1], " ")) + " cannot be used together"
	}
	if m := reTogether.FindStringSubmatch(msg); m != nil {
		missing := flags(m[2], " ")
		verb := "is"
		if len(missing) > 1 {
			verb = "are"
		}
		return joinAnd(flags(m[1], " ")) + " go together: " + joinAnd(missing) + " " + verb + " missing"
	}
	if m := reOneOf.FindStringSubmatch(msg); m != nil {
		return "one of " + strings.Join(flags(m[1], " "), ", ") + " is required"
	}
	if m := reRequired.FindStringSubmatch(msg); m != nil {
		names := flags(m[1], ",")
		if len(names) == 1 {
			return names[0] + " is required"
		}
		return joinAnd(names) + " are required"
	}
	return msg
}

func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Warn prints a warning line.
func Warn(w io.Writer, prog, format string, args ...any) {
	fmt.Fprintf(w, "%s: warning: "+format+"\n", append([]any{prog}, args...)...)
}

// WriteJSON prints v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("cannot encode the result as JSON: %v", err)
	}
	return nil
}

// PrintVersion prints the build information of the running binary, as text
// or JSON; both binaries' version commands call it.
func PrintVersion(w io.Writer, prog string, asJSON bool) error {
	info, err := buildinfo.Read()
	if err != nil {
		return Failf("", "%v", err)
	}
	if asJSON {
		return WriteJSON(w, info)
	}
	fmt.Fprintf(w, "%s %s\ncommit:  %s\ngo:      %s (%s)\nsha256:  %s\n",
		prog, info.Version, info.Commit, info.GoVersion, info.Platform, info.BinarySHA256)
	return nil
}
