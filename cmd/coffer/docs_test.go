package main

import (
	"bytes"
	"flag"
	"github.com/spf13/cobra"
	"os"
	"path/filepath"
	"testing"

	"github.com/coffer-custody/coffer/internal/cli"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/coffer from the commands (make docs)")

// TestDocsCurrent checks that the man pages and Markdown reference in
// docs/coffer are what the commands generate; `make docs` rewrites them.
func TestDocsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..", "docs", "coffer")
	root := newRootCommand(newEnv())
	if *updateDocs {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := cli.WriteDocs(root, dir); err != nil {
			t.Fatal(err)
		}
		return
	}
	files := cli.GenerateDocs(root)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/coffer/%s is not current: run 'make docs'", name)
		}
	}
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			if _, ok := files[rel]; !ok {
				t.Errorf("docs/coffer/%s belongs to no command: run 'make docs'", rel)
			}
		}
		return nil
	})
}

// TestEveryCommandHasExample holds the house rule: every command shows an
// example in its --help.
func TestEveryCommandHasExample(t *testing.T) {
	root := newRootCommand(newEnv())
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			if sub.Example == "" {
				t.Errorf("%s has no Example", sub.CommandPath())
			}
			if sub.RunE == nil && sub.Run == nil && len(sub.Commands()) == 0 {
				t.Errorf("%s has no RunE", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(root)
}
