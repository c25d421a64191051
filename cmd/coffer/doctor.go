package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/keystore"
)

type doctorOptions struct {
	strict bool
}

func newDoctorCommand(g *globalOptions) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the air gap, the vault's permissions, the keystore, the journal and the clock",
		Long: `Check that this workstation is fit to hold the vault:

  - air gap: no network interface other than loopback is up (read from
    /sys/class/net); an interface that is up is a loud warning
  - the vault folder is 0700 and its files 0600
  - keystore.json is readable and well formed (no passphrase is asked)
  - journal.jsonl is there and its last entry is whole, so the next act
    can be journaled ('coffer audit verify' checks every entry)
  - the clock is plausible

Warnings exit 0 unless --strict is given; a broken keystore or journal
always fails.`,
		Example: `  coffer doctor
  coffer doctor --strict --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := g.vaultDir()
			if err != nil {
				return err
			}
			cfg := doctorConfig{sysNet: "/sys/class/net", vault: dir, now: g.env.now()}
			return runDoctor(cmd.OutOrStdout(), cmd.ErrOrStderr(), cfg, o.strict, g.json)
		},
	}
	cmd.Flags().BoolVar(&o.strict, "strict", false, "exit non-zero on any warning")
	return cmd
}

type doctorConfig struct {
	sysNet string // /sys/class/net, or a test folder
	vault  string
	now    time.Time
}

type doctorCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warning, failed
	Detail string `json:"detail"`
}

func runDoctor(out, stderr io.Writer, cfg doctorConfig, strict, asJSON bool) error {
	checks := doctorChecks(cfg)
	warnings, failures := 0, 0
	for _, c := range checks {
		switch c.Status {
		case "warning":
			warnings++
		case "failed":
			failures++
		}
	}
	if asJSON {
		if err := writeJSON(out, struct {
			Checks   []doctorCheck `json:"checks"`
			Warnings int           `json:"warnings"`
			Failures int           `json:"failures"`
		}{checks, warnings, failures}); err != nil {
			return err
		}
	} else {
		for _, c := range checks {
			mark := "ok  "
			switch c.Status {
			case "warning":
				mark = "WARN"
			case "failed":
				mark = "FAIL"
			}
			fmt.Fprintf(out, "[%s] %-12s %s\n", mark, c.Name, c.Detail)
		}
	}
	for _, c := range checks {
		if c.Status == "warning" && c.Name == "air gap" {
			printWarning(stderr, "THIS MACHINE IS NOT AIR-GAPPED: %s", c.Detail)
		}
	}
	if failures > 0 || (strict && warnings > 0) {
		return fail(exitDoctor, fmt.Errorf("doctor found %d failure(s) and %d warning(s)", failures, warnings),
			"fix what is marked above, then run 'coffer doctor' again")
	}
	return nil
}

func doctorChecks(cfg doctorConfig) []doctorCheck {
	return []doctorCheck{
		checkAirGap(cfg.sysNet),
		checkVaultPermissions(cfg.vault),
		checkKeystore(cfg.vault),
		checkJournalFile(cfg.vault),
		checkClock(cfg.now),
	}
}

// checkAirGap reads /sys/class/net: every interface but loopback whose flags
// carry IFF_UP breaks the air gap.
func checkAirGap(sysNet string) doctorCheck {
	c := doctorCheck{Name: "air gap"}
	entries, err := os.ReadDir(sysNet)
	if err != nil {
		c.Status, c.Detail = "warning", fmt.Sprintf("cannot read %s: %v", sysNet, err)
		return c
	}
	var up []string
	for _, e := range entries {
		name := e.Name()
		if name == "lo" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(sysNet, name, "flags"))
		if err != nil {
			up = append(up, name+" (flags unreadable)")
			continue
		}
		flags, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(string(raw)), "0x"), 16, 32)
		if err != nil || flags&0x1 != 0 { // IFF_UP
			up = append(up, name)
		}
	}
	if len(up) > 0 {
		c.Status = "warning"
		c.Detail = fmt.Sprintf("network interface(s) up: %s; take them down or unplug them before signing", strings.Join(up, ", "))
		return c
	}
	c.Status, c.Detail = "ok", "no network interface other than loopback is up"
	return c
}

func checkVaultPermissions(dir string) doctorCheck {
	c := doctorCheck{Name: "permissions"}
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		c.Status, c.Detail = "warning", fmt.Sprintf("vault %s does not exist yet (run 'coffer keygen' or 'coffer restore')", dir)
		return c
	}
	if err != nil {
		c.Status, c.Detail = "failed", fmt.Sprintf("vault %s: %v", dir, err)
		return c
	}
	var problems []string
	if info.Mode().Perm()&0o077 != 0 {
		problems = append(problems, fmt.Sprintf("%s is %04o, want 0700", dir, info.Mode().Perm()))
	}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			problems = append(problems, fmt.Sprintf("%s is a symbolic link", path))
			return nil
		}
		if fi.Mode().Perm()&0o077 != 0 {
			want := "0600"
			if fi.IsDir() {
				want = "0700"
			}
			problems = append(problems, fmt.Sprintf("%s is %04o, want %s", path, fi.Mode().Perm(), want))
		}
		return nil
	})
	if len(problems) > 0 {
		c.Status, c.Detail = "warning", strings.Join(problems, "; ")
		return c
	}
	c.Status, c.Detail = "ok", fmt.Sprintf("%s and its files are private to their owner", dir)
	return c
}

func checkKeystore(dir string) doctorCheck {
	c := doctorCheck{Name: "keystore"}
	path := filepath.Join(dir, keystoreFile)
	meta, err := keystore.ReadMeta(path)
	if errors.Is(err, fs.ErrNotExist) {
		c.Status, c.Detail = "warning", fmt.Sprintf("no keystore at %s", path)
		return c
	}
	if err != nil {
		c.Status, c.Detail = "failed", err.Error()
		return c
	}
	c.Status = "ok"
	c.Detail = fmt.Sprintf("%s is well formed (network %s, master fingerprint %s)", path, meta.Network, meta.MasterFingerprint)
	return c
}

// checkJournalFile says whether the journal will take the next entry: it
// exists when the keystore does, and its last line is whole. It changes
// nothing (the journal is only opened when it exists).
func checkJournalFile(dir string) doctorCheck {
	c := doctorCheck{Name: "journal"}
	path := filepath.Join(dir, journalFile)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if _, kerr := os.Lstat(filepath.Join(dir, keystoreFile)); errors.Is(kerr, fs.ErrNotExist) {
			c.Status, c.Detail = "warning", fmt.Sprintf("no journal at %s", path)
			return c
		}
		c.Status, c.Detail = "failed", fmt.Sprintf("%s is missing: nothing can be signed or exported until it is restored from the vault's backup", path)
		return c
	}
	j, err := audit.Open(path)
	if err != nil {
		msg := err.Error()
		if !strings.Contains(msg, path) {
			msg = path + ": " + msg
		}
		c.Status, c.Detail = "failed", msg+"; run 'coffer audit verify' and restore the journal from the vault's backup"
		return c
	}
	j.Close()
	c.Status, c.Detail = "ok", fmt.Sprintf("%s ends with a whole entry", path)
	return c
}

func checkClock(now time.Time) doctorCheck {
	// This software did not exist before 2025, so a clock before it is wrong.
	earliestPlausible := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := doctorCheck{Name: "clock"}
	switch {
	case now.Before(earliestPlausible):
		c.Status, c.Detail = "warning", fmt.Sprintf("the clock says %s, before this software was built: set it right", now.UTC().Format(time.RFC3339))
	case now.After(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)):
		c.Status, c.Detail = "warning", fmt.Sprintf("the clock says %s, which is implausible: set it right", now.UTC().Format(time.RFC3339))
	default:
		c.Status, c.Detail = "ok", fmt.Sprintf("the clock says %s", now.UTC().Format(time.RFC3339))
	}
	return c
}
