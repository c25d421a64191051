package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/auditcmd"
	"github.com/coffer-custody/coffer/internal/cli"
)

// newAuditCommand is the shared audit command (internal/auditcmd) with the
// vault's journal and transcript as defaults, plus export.
func newAuditCommand(g *globalOptions) *cobra.Command {
	cmd := auditcmd.NewCommand(auditcmd.Options{
		Prog: prog,
		JSON: &g.json,
		VaultFiles: func() (string, string, error) {
			dir, err := g.vaultDir()
			if err != nil {
				return "", "", err
			}
			return filepath.Join(dir, journalFile), filepath.Join(dir, ceremonyFile), nil
		},
	})
	cmd.Long += `

Without a file argument, verify and verify-ceremony check the vault's own
journal.jsonl and ceremony.json.`
	cmd.AddCommand(newAuditExportCommand(g))
	return cmd
}

type auditExportOptions struct {
	since uint64
	out   string
}

func newAuditExportCommand(g *globalOptions) *cobra.Command {
	o := &auditExportOptions{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Copy the vault's verified journal for the online side",
		Long: `Copy the vault's journal (journal.jsonl) for auditors and the online side,
after verifying it with the journal key of the vault's ceremony transcript.
Nothing is written when it does not verify: check it with 'coffer audit
verify' (and copy the file by hand for an investigation).

--since SEQ copies only the entries after seq SEQ (those the online side does
not have yet); the head printed for SEQ (SEQ:HASH) is what 'audit verify
--after' checks the copy against. The copy goes to stdout, or to --out F,
which is never overwritten. No passphrase is needed: the journal holds no
secret.`,
		Example: `  coffer audit export --out journal-2026-08-20.jsonl
  coffer audit export --since 41 --out new.jsonl
  coffer-watch audit verify new.jsonl --ceremony ceremony.json --after 41:9c0e…`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuditExport(cmd, g, o)
		},
	}
	cmd.Flags().Uint64Var(&o.since, "since", 0, "copy only the entries after this seq")
	cmd.Flags().StringVar(&o.out, "out", "", "write to this file instead of stdout (never overwritten)")
	return cmd
}

func runAuditExport(cmd *cobra.Command, g *globalOptions, o *auditExportOptions) error {
	if g.json && o.out == "" {
		return failf("pass --out F with --json", "--json needs --out: without it the journal itself goes to stdout")
	}
	dir, err := g.vaultDir()
	if err != nil {
		return err
	}
	cerPath := filepath.Join(dir, ceremonyFile)
	f, err := os.Open(cerPath)
	if errors.Is(err, fs.ErrNotExist) {
		return fail(exitError, fmt.Errorf("no vault at %s (no %s)", dir, ceremonyFile), "pass --vault DIR")
	}
	if err != nil {
		return failf("", "cannot open %s: %v", cerPath, err)
	}
	c, err := audit.ReadCeremony(f, cerPath)
	f.Close()
	if err != nil {
		return failf("", "%v", err)
	}
	pub, err := audit.ParsePublicKey(c.JournalPublicKey)
	if err != nil {
		return failf("", "ceremony transcript %s: journal_public_key: %v", cerPath, err)
	}
	jPath := filepath.Join(dir, journalFile)

	var res *auditcmd.ExportResult
	export := func(w io.Writer) error {
		r, err := auditcmd.ExportJournal(w, jPath, pub, o.since)
		if err != nil {
			var ve *audit.VerifyError
			if errors.As(err, &ve) {
				return fail(exitError, fmt.Errorf("journal %s does not verify, nothing was exported: %v", jPath, err),
					"run 'coffer audit verify' for the report; copy the file by hand for an investigation")
			}
			return failf("", "%v", err)
		}
		res = r
		return nil
	}
	if o.out == "" {
		bw := bufio.NewWriter(cmd.OutOrStdout())
		if err := export(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return failf("", "cannot write the journal copy: %v", err)
		}
		printAuditExport(cmd.ErrOrStderr(), o, res)
		return nil
	}
	if err := auditcmd.WriteNew(o.out, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := export(bw); err != nil {
			return err
		}
		return bw.Flush()
	}); err != nil {
		var ce *cli.Error
		if errors.As(err, &ce) {
			return err
		}
		return failf("choose another --out, or move the old file away", "--out: %v", err)
	}
	if g.json {
		return writeJSON(cmd.OutOrStdout(), struct {
			Out string `json:"out"`
			*auditcmd.ExportResult
		}{o.out, res})
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", o.out)
	printAuditExport(cmd.OutOrStdout(), o, res)
	return nil
}

func printAuditExport(w io.Writer, o *auditExportOptions, r *auditcmd.ExportResult) {
	if r.Entries == 0 {
		fmt.Fprintf(w, "entries: none after seq %d\n", o.since)
	} else {
		fmt.Fprintf(w, "entries: %d (seq %d to %d)\n", r.Entries, r.FirstSeq, r.LastSeq)
	}
	fmt.Fprintf(w, "head:    %d:%s\n", r.LastSeq, r.LastHash)
	if r.After != "" {
		fmt.Fprintf(w, "after:   %s (check the copy with 'audit verify --after %s')\n", r.After, r.After)
	}
	fmt.Fprintf(w, "sha256:  %s\n", r.SHA256)
}
