package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestArgsByContract(t *testing.T) {
	newTree := func() *cobra.Command {
		root := &cobra.Command{Use: "prog"}
		noop := func(*cobra.Command, []string) error { return nil }
		group := &cobra.Command{Use: "wallet"}
		group.AddCommand(&cobra.Command{Use: "show NAME", Args: cobra.ExactArgs(1), RunE: noop})
		root.AddCommand(group,
			&cobra.Command{Use: "version", Args: cobra.NoArgs, RunE: noop},
			&cobra.Command{Use: "combine A B...", Args: cobra.MinimumNArgs(2), RunE: noop})
		RequireSubcommands(root)
		ArgsByContract(root)
		for _, c := range []*cobra.Command{root} {
			c.SilenceErrors, c.SilenceUsage = true, true
		}
		return root
	}
	tests := []struct {
		args     []string
		want     string // "" for success
		wantHint string
	}{
		{[]string{"version"}, "", ""},
		{[]string{"version", "abandon", "ability"}, "prog version takes no arguments, but was given 2", "usage: prog version"},
		{[]string{"wallet", "show"}, "prog wallet show needs NAME", "usage: prog wallet show NAME"},
		{[]string{"wallet", "show", "a", "b"}, "prog wallet show was given 2 arguments; it takes NAME", "usage: prog wallet show NAME"},
		{[]string{"wallet", "show", "a"}, "", ""},
		{[]string{"combine", "a"}, "prog combine was given 1 argument; it takes A B...", "usage: prog combine A B..."},
		// A misspelt command of a group is still called that.
		{[]string{"wallet", "shw"}, `unknown command "shw" for "prog wallet"`, ""},
	}
	for _, tt := range tests {
		root := newTree()
		root.SetArgs(tt.args)
		err := root.Execute()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%v: %v", tt.args, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want %q", tt.args, err, tt.want)
			continue
		}
		var ce *Error
		if tt.wantHint != "" && (!errors.As(err, &ce) || ce.Hint != tt.wantHint) {
			t.Errorf("%v: hint %+v, want %q", tt.args, ce, tt.wantHint)
		}
		// The arguments themselves are never echoed: they may be words.
		for _, a := range tt.args[1:] {
			if len(a) > 3 && strings.Contains(err.Error(), a) && a != "show" && a != "wallet" {
				t.Errorf("%v: the message repeats the argument %q: %v", tt.args, a, err)
			}
		}
	}
}
