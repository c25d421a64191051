package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// GenerateDocs writes a man page (section 1) and a Markdown page for every
// visible command of root into dir/man and dir/md, and returns the files it
// wrote with their contents, so a test can check that the committed docs
// are current. It is written here rather than with cobra/doc to keep
// go-md2man and blackfriday out of the module graph.
func GenerateDocs(root *cobra.Command) map[string][]byte {
	files := map[string][]byte{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-")
		files[filepath.Join("man", name+".1")] = manPage(c)
		files[filepath.Join("md", name+".md")] = markdownPage(c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	root.InitDefaultCompletionCmd()
	walk(root)
	return files
}

// WriteDocs writes GenerateDocs' files below dir.
func WriteDocs(root *cobra.Command, dir string) error {
	for name, data := range GenerateDocs(root) {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func manEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			line = `\&` + line
		}
		b.WriteString(strings.ReplaceAll(line, "-", `\-`))
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func manPage(c *cobra.Command) []byte {
	var b bytes.Buffer
	title := strings.ToUpper(strings.ReplaceAll(c.CommandPath(), " ", "-"))
	fmt.Fprintf(&b, ".TH %q 1 \"\" \"Coffer\" \"Coffer Manual\"\n", title)
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", manEscape(strings.ReplaceAll(c.CommandPath(), " ", "-")), manEscape(c.Short))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.nf\n%s\n.fi\n", manEscape(c.UseLine()))
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	fmt.Fprintf(&b, ".SH DESCRIPTION\n.nf\n%s\n.fi\n", manEscape(desc))
	writeManFlags(&b, "OPTIONS", c.NonInheritedFlags())
	writeManFlags(&b, "OPTIONS INHERITED FROM PARENT COMMANDS", c.InheritedFlags())
	if c.Example != "" {
		fmt.Fprintf(&b, ".SH EXAMPLE\n.nf\n%s\n.fi\n", manEscape(c.Example))
	}
	if subs := visibleSubcommands(c); len(subs) > 0 {
		b.WriteString(".SH SEE ALSO\n")
		for i, s := range subs {
			sep := ",\n"
			if i == len(subs)-1 {
				sep = "\n"
			}
			fmt.Fprintf(&b, "\\fB%s\\fP(1)%s", manEscape(strings.ReplaceAll(s.CommandPath(), " ", "-")), sep)
		}
	}
	return b.Bytes()
}

func writeManFlags(b *bytes.Buffer, title string, fs *pflag.FlagSet) {
	var flags []*pflag.Flag
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			flags = append(flags, f)
		}
	})
	if len(flags) == 0 {
		return
	}
	fmt.Fprintf(b, ".SH %s\n", title)
	for _, f := range flags {
		name := "\\-\\-" + manEscape(f.Name)
		if f.Shorthand != "" {
			name = "\\-" + f.Shorthand + ", " + name
		}
		fmt.Fprintf(b, ".TP\n\\fB%s\\fP\n%s", name, manEscape(f.Usage))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			fmt.Fprintf(b, " (default %s)", manEscape(f.DefValue))
		}
		b.WriteString("\n")
	}
}

func markdownPage(c *cobra.Command) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", c.CommandPath(), c.Short)
	if c.Long != "" {
		fmt.Fprintf(&b, "```\n%s\n```\n\n", strings.TrimSpace(c.Long))
	}
	fmt.Fprintf(&b, "```\n%s\n```\n\n", c.UseLine())
	if c.Example != "" {
		fmt.Fprintf(&b, "### Examples\n\n```\n%s\n```\n\n", c.Example)
	}
	if fu := c.NonInheritedFlags().FlagUsages(); fu != "" {
		fmt.Fprintf(&b, "### Options\n\n```\n%s```\n\n", fu)
	}
	if fu := c.InheritedFlags().FlagUsages(); fu != "" {
		fmt.Fprintf(&b, "### Options inherited from parent commands\n\n```\n%s```\n\n", fu)
	}
	if subs := visibleSubcommands(c); len(subs) > 0 {
		b.WriteString("### See also\n\n")
		for _, s := range subs {
			fmt.Fprintf(&b, "* [%s](%s.md) — %s\n", s.CommandPath(), strings.ReplaceAll(s.CommandPath(), " ", "-"), s.Short)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

func visibleSubcommands(c *cobra.Command) []*cobra.Command {
	var subs []*cobra.Command
	for _, s := range c.Commands() {
		if !s.Hidden && s.Name() != "help" {
			subs = append(subs, s)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name() < subs[j].Name() })
	return subs
}
