package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// RequireSubcommands makes every group command below root (one that only
// holds other commands, as "backup" or "completion" do) fail with a usage
// error when it is run alone or with a misspelt command. Without it cobra
// prints the group's help and exits 0, which a script takes for success:
// "PROG backup splt --shares 2-of-3" would do nothing and say nothing wrong.
// Call it once the tree is built; it adds cobra's completion command first
// so that group is covered too.
func RequireSubcommands(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	completionExamples(root)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c == root || !c.HasAvailableSubCommands() || c.Runnable() {
			return
		}
		c.Args = cobra.NoArgs // a misspelt command: unknown command "splt" for "PROG backup"
		c.RunE = func(cmd *cobra.Command, _ []string) error {
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			return Failf(fmt.Sprintf("run '%s --help' for what each does", cmd.CommandPath()),
				"%s needs a command: %s", cmd.CommandPath(), strings.Join(names, ", "))
		}
	}
	walk(root)
}

// completionExamples gives cobra's completion commands the example every
// other command has in its help and man page.
func completionExamples(root *cobra.Command) {
	prog := root.Name()
	examples := map[string]string{
		"completion": fmt.Sprintf("  %[1]s completion bash > /etc/bash_completion.d/%[1]s", prog),
		"bash":       fmt.Sprintf("  source <(%s completion bash)", prog),
		"zsh":        fmt.Sprintf("  %[1]s completion zsh > \"${fpath[1]}/_%[1]s\"", prog),
		"fish":       fmt.Sprintf("  %[1]s completion fish > ~/.config/fish/completions/%[1]s.fish", prog),
		"powershell": fmt.Sprintf("  %s completion powershell | Out-String | Invoke-Expression", prog),
	}
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		for _, sub := range append([]*cobra.Command{c}, c.Commands()...) {
			if sub.Example == "" {
				sub.Example = examples[sub.Name()]
			}
		}
	}
}
