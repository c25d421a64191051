package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// ArgsByContract wraps the argument check of every runnable command below
// root so that a wrong number of arguments is said the contract's way,
// with the command's usage line:
//
//	coffer: error: coffer version takes no arguments, but was given 1
//	coffer: hint: usage: coffer version
//
// instead of cobra's `unknown command "extra" for "coffer version"` (which
// reads as a misspelt command and echoes the argument) or `accepts 1
// arg(s), received 2`. A group
// command keeps cobra's "unknown command" message: there it is true. Call it
// once the tree is built.
func ArgsByContract(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Args == nil || !c.Runnable() || c.HasAvailableSubCommands() {
			return
		}
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return argsError(cmd, args, err)
			}
			return nil
		}
	}
	walk(root)
}

// argsError names the command, how many arguments it was given and what
// it takes — never the arguments themselves: an officer who typed the
// recovery words or a passphrase on the command line must not see them
// echoed into a terminal log.
func argsError(cmd *cobra.Command, args []string, cause error) error {
	hint := strings.TrimSuffix("usage: "+cmd.UseLine(), " [flags]")
	path := cmd.CommandPath()
	switch {
	case strings.HasPrefix(cause.Error(), "unknown command"):
		return Failf(hint, "%s takes no arguments, but was given %d", path, len(args))
	case len(args) == 0:
		return Failf(hint, "%s needs %s", path, usageArgs(cmd))
	case len(args) == 1:
		return Failf(hint, "%s was given 1 argument; it takes %s", path, usageArgs(cmd))
	default:
		return Failf(hint, "%s was given %d arguments; it takes %s", path, len(args), usageArgs(cmd))
	}
}

// usageArgs is the part of the Use line after the command's name.
func usageArgs(cmd *cobra.Command) string {
	_, rest, _ := strings.Cut(cmd.Use, " ")
	if rest = strings.TrimSpace(rest); rest == "" {
		return "no arguments"
	}
	return rest
}

// UncheckedArgs lists the runnable commands below root that declare no
// argument check: cobra lets such a command take any arguments and ignore
// them, so "coffer sign --yes a.psbt b.psbt" could sign one file and drop
// the other without a word. The commands' tests require the list empty.
func UncheckedArgs(root *cobra.Command) []string {
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c != root && c.Runnable() && c.Args == nil {
			out = append(out, c.CommandPath())
		}
	}
	walk(root)
	return out
}
