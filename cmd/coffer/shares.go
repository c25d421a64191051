package main

// SLIP-39 share backups: how a scheme is read from flags, how shares are
// shown to their holders, and how they are read back.

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/secret"
	"github.com/coffer-custody/coffer/keygen/slip39"
)

// slip39IterationExponent is the PBKDF2 cost of new share sets: 1, as Trezor
// writes (20,000 iterations); any SLIP-39 wallet restores it.
const slip39IterationExponent = 1

// sharesFlags are --shares M-of-N and --groups "G of (M-of-N, ...)".
type sharesFlags struct {
	shares string
	groups string
}

func (s *sharesFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.shares, "shares", "", "back up the secret as SLIP-39 shares, M-of-N (e.g. 2-of-3)")
	cmd.Flags().StringVar(&s.groups, "groups", "", `two-level SLIP-39 scheme, e.g. "2 of (2-of-3, 1-of-1, 3-of-5)"`)
	cmd.MarkFlagsMutuallyExclusive("shares", "groups")
}

func (s *sharesFlags) set() bool { return s.shares != "" || s.groups != "" }

func (s *sharesFlags) scheme() (slip39.Scheme, error) {
	if s.shares != "" {
		g, err := slip39.ParseScheme(s.shares)
		if err != nil {
			return slip39.Scheme{}, failf("write --shares as M-of-N, e.g. 2-of-3", "--shares %q: %v", s.shares, err)
		}
		sc := slip39.Scheme{GroupThreshold: 1, Groups: []slip39.Group{g}}
		if err := sc.Validate(); err != nil {
			return sc, failf("", "--shares %q: %v", s.shares, err)
		}
		return sc, nil
	}
	sc, err := slip39.ParseGroups(s.groups)
	if err != nil {
		return sc, failf(`write --groups as "G of (M-of-N, ...)", e.g. "2 of (2-of-3, 1-of-1)"`, "--groups %q: %v", s.groups, err)
	}
	return sc, nil
}

// shareHolders names the holder of every share, group by group: the
// officers in the order given, or "holder N" when none are named.
func shareHolders(sc slip39.Scheme, officers []string) ([][]string, error) {
	total := sc.Shares()
	if len(officers) > 0 && len(officers) != total {
		return nil, failf(fmt.Sprintf("name one --officer per share, in order (%d in all)", total),
			"%d officers are named for %d shares", len(officers), total)
	}
	holders := make([][]string, len(sc.Groups))
	n := 0
	for gi, g := range sc.Groups {
		for m := 0; m < g.Count; m++ {
			name := fmt.Sprintf("holder %d", n+1)
			if len(officers) > 0 {
				name = officers[n]
			}
			holders[gi] = append(holders[gi], name)
			n++
		}
	}
	return holders, nil
}

// splitToShares splits a master secret by the scheme and shows each share
// to its holder: on its own screen with a quiz when interactive, or one line
// each ("share N/M HOLDER: words") for scripted ceremonies. It returns the
// transcript record of the scheme.
func splitToShares(p *prompter, screen io.Writer, masterSecret []byte, sc slip39.Scheme, holders [][]string, rng io.Reader, interactive bool) (*audit.CeremonyShamir, error) {
	set, err := slip39.Split(masterSecret, nil, sc.GroupThreshold, sc.Groups, slip39IterationExponent, true, rng)
	if err != nil {
		return nil, failf("", "cannot split the secret into shares: %v", err)
	}
	defer slip39.WipeAll(set)
	total := sc.Shares()
	rec := &audit.CeremonyShamir{Extendable: true, IterationExponent: slip39IterationExponent, GroupThreshold: sc.GroupThreshold}
	n := 0
	for gi, group := range set {
		rec.Groups = append(rec.Groups, audit.CeremonyShareGroup{Threshold: sc.Groups[gi].Threshold, Count: sc.Groups[gi].Count, Holders: holders[gi]})
		for mi, share := range group {
			n++
			rec.Identifier = share.Identifier
			words, err := share.Mnemonic()
			if err != nil {
				return nil, failf("", "cannot encode share %d: %v", n, err)
			}
			holder := holders[gi][mi]
			if !interactive {
				fmt.Fprintf(screen, "share %d/%d %s: %s\n", n, total, holder, words)
				secret.Wipe(words)
				continue
			}
			err = showShare(p, screen, words, n, total, holder, gi, sc, rng)
			secret.Wipe(words)
			if err != nil {
				return nil, err
			}
		}
	}
	return rec, nil
}

func showShare(p *prompter, screen io.Writer, words []byte, n, total int, holder string, group int, sc slip39.Scheme, rng io.Reader) error {
	if _, err := p.readLine(fmt.Sprintf("Share %d of %d is for %s. Only %s may look at the screen now; press Enter: ", n, total, holder, holder)); err != nil {
		return err
	}
	fmt.Fprintf(screen, "\nShare %d of %d — holder %s — group %d of %d (%d of %d shares of this group restore it)\n",
		n, total, holder, group+1, len(sc.Groups), sc.Groups[group].Threshold, sc.Groups[group].Count)
	showWords(screen, words)
	if err := quizWords(p, words, rng); err != nil {
		return err
	}
	fmt.Fprint(p.out, "\033[2J\033[H")
	return nil
}

// readShares collects SLIP-39 shares from files, or typed one at a time,
// until the scheme's thresholds are met; it says after each share what is
// still needed.
func readShares(p *prompter, files []string, nonInteractive bool) (*slip39.Recovery, error) {
	rec := &slip39.Recovery{}
	add := func(m []byte, where string) error {
		err := rec.Add(m)
		secret.Wipe(m)
		if err == nil {
			return nil
		}
		var we *slip39.WordError
		if errors.As(err, &we) && len(we.Suggestions) > 0 {
			// Every close word, as for a BIP39 word ("did you mean "a" or "b"?").
			q := make([]string, len(we.Suggestions))
			for i, w := range we.Suggestions {
				q[i] = strconv.Quote(w)
			}
			return fail(exitError, fmt.Errorf("%s: %v", where, err), "did you mean "+strings.Join(q, " or ")+"?")
		}
		return failf("", "%s: %v", where, err)
	}
	for _, f := range files {
		m, err := readSmallFile(f, 4096, "share file")
		if err != nil {
			rec.Wipe()
			return nil, err
		}
		if err := add(m, "share file "+f); err != nil {
			rec.Wipe()
			return nil, err
		}
	}
	for !rec.Status().Complete() {
		if nonInteractive {
			st := rec.Status()
			rec.Wipe()
			return nil, fail(exitError, fmt.Errorf("not enough shares to restore: %s", st), "pass one --share-file per share")
		}
		if rec.Status().Started {
			fmt.Fprintf(p.out, "%s\n", rec.Status())
		}
		m, err := p.words("Type a share (words separated by spaces, not shown): ", "the share", "--share-file")
		if err != nil {
			rec.Wipe()
			return nil, err
		}
		if err := add(m, "the share"); err != nil {
			// A bad share typed by hand is reported, with its hint (the
			// closest words for a mistyped one), and the officer goes on.
			reportError(p.out, err)
			continue
		}
	}
	return rec, nil
}
