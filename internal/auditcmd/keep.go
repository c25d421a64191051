package auditcmd

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
)

// MaxKeptJournal bounds a journal copy given to KeepJournal and a kept
// journal read back: 256 MiB, some hundreds of thousands of entries.
const MaxKeptJournal = 256 << 20

// JournalFingerprint is the short name of a journal public key that kept
// copies are filed under: the first 8 bytes of the key's SHA-256, as 16
// lower-case hex digits.
func JournalFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// KeepResult says what KeepJournal kept.
type KeepResult struct {
	// File is the kept copy, DIR/<fingerprint>.jsonl.
	File        string `json:"file"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
	// Copy names the copy given, and the seqs it holds.
	Copy         string `json:"copy"`
	CopyFirstSeq uint64 `json:"copy_first_seq,omitempty"`
	CopyLastSeq  uint64 `json:"copy_last_seq,omitempty"`
	// EntriesBefore and HeadBefore are the kept copy before (0 and empty
	// when none was kept); EntriesAfter and Head after. Added is the
	// difference: 0 when the copy held nothing new.
	EntriesBefore int64      `json:"entries_before"`
	HeadBefore    string     `json:"head_before,omitempty"`
	EntriesAfter  int64      `json:"entries_after"`
	Added         int64      `json:"added"`
	Head          string     `json:"head"`
	HeadTime      *time.Time `json:"head_time,omitempty"`
	// CeremonyChecked is true when seq 1 was checked against the ceremony
	// transcript (in the copy or in the kept copy).
	CeremonyChecked bool     `json:"ceremony_checked"`
	Warnings        []string `json:"warnings,omitempty"`
}

// KeepJournal verifies a journal copy (data, named name in messages) as
// VerifyJournal does and files it in dir (created 0700) as
// <fingerprint>.jsonl, written atomically, mode 0644: the journal holds no
// secret.
//
// When a copy of that journal is kept already, the new one must extend it:
// a whole copy (from seq 1) must hold the kept entries byte for byte; a
// partial copy (audit export --since) must overlap them byte for byte or
// start right after the kept head, and is verified with its link pinned to
// the kept entry before its first. The kept copy becomes the kept entries
// plus the new ones. The first copy kept must start at seq 1. An empty copy,
// or one with no entry after the kept head, changes nothing.
//
// Every refusal is a *cli.Error with exit 1 and a hint; nothing is written
// then and the kept copy is unchanged. A copy that does not verify wraps
// the *audit.VerifyError of its first bad entry.
func KeepJournal(dir string, data []byte, name string, opts JournalOptions) (*KeepResult, error) {
	fp := JournalFingerprint(opts.PublicKey)
	file := filepath.Join(dir, fp+".jsonl")
	res := &KeepResult{File: file, PublicKey: audit.FormatPublicKey(opts.PublicKey), Fingerprint: fp, Copy: name}

	kept, err := readKept(file)
	if err != nil {
		return nil, err
	}
	var keptLines [][]byte
	if kept != nil {
		// The kept copy is checked again: a file changed in the data folder
		// must not be extended as if it were what was kept.
		krep, err := VerifyJournalReader(bytes.NewReader(kept), file, JournalOptions{PublicKey: opts.PublicKey, CeremonySHA256: opts.CeremonySHA256})
		if err == nil && krep.FirstSeq != 1 {
			err = fmt.Errorf("it starts at seq %d, not 1", krep.FirstSeq)
		}
		if err != nil {
			return nil, cli.Fail(cli.ExitError, fmt.Errorf("the kept copy %s does not verify, nothing was kept: %v", file, err),
				"it changed since it was kept: restore it from a backup, or move it away and keep a whole copy again")
		}
		keptLines = splitJournal(kept)
		res.EntriesBefore = int64(len(keptLines))
		res.HeadBefore = krep.head()
		res.CeremonyChecked = krep.CeremonyChecked
	}
	keptSeq := uint64(len(keptLines))

	if len(data) == 0 {
		if kept == nil {
			return nil, cli.Failf("keep a whole copy made by 'coffer audit export'", "%s holds no entries: there is nothing to keep", name)
		}
		return res.unchanged(keptLines), nil
	}

	first := leadingSeq(data)
	jo := JournalOptions{PublicKey: opts.PublicKey, CeremonySHA256: opts.CeremonySHA256}
	if first > 1 {
		switch {
		case kept == nil:
			return nil, cli.Failf("keep a whole copy first: 'coffer audit export' without --since",
				"%s starts at seq %d and no copy of journal %s is kept yet: the first copy kept must start at seq 1", name, first, fp)
		case first-1 > keptSeq:
			return nil, cli.Failf(fmt.Sprintf("ask for 'coffer audit export --since %d'", keptSeq),
				"%s starts at seq %d but the kept copy of journal %s ends at seq %d: entries %d..%d are missing between them, nothing was kept",
				name, first, fp, keptSeq, keptSeq+1, first-1)
		}
		prev := keptLines[first-2]
		after := audit.Head{Seq: first - 1, Hash: sha256.Sum256(prev), Time: lineTime(prev)}
		jo.After = &after
		// Seq 1 is in the kept copy, checked against the transcript there.
		jo.CeremonySHA256 = nil
	}
	rep, err := VerifyJournalReader(bytes.NewReader(data), name, jo)
	if err != nil {
		var ve *audit.VerifyError
		if errors.As(err, &ve) {
			if jo.After != nil && ve.Seq == first && ve.Reason == audit.ReasonChain {
				return nil, cli.Fail(cli.ExitError, fmt.Errorf("%s does not continue the kept copy of journal %s: its first entry, seq %d, does not link to the kept entry seq %d, so an entry at or before seq %d was rewritten; nothing was kept: %v",
					name, fp, first, first-1, first-1, err),
					fmt.Sprintf("the kept copy %s is unchanged; ask for a whole export ('coffer audit export') to find the first entry that differs", file))
			}
			return nil, cli.Fail(cli.ExitError, fmt.Errorf("%s does not verify, nothing was kept: %v", name, err),
				"the entries before the one named verified; check the key, and ask for a new export ('coffer audit verify' on the vault names the same entry if the journal itself is bad)")
		}
		return nil, cli.Fail(cli.ExitError, fmt.Errorf("%s: %v", name, err), "")
	}
	res.Warnings = rep.Warnings
	res.CeremonyChecked = res.CeremonyChecked || rep.CeremonyChecked
	res.CopyFirstSeq, res.CopyLastSeq = rep.FirstSeq, rep.LastSeq

	lines := splitJournal(data)
	for i, l := range lines {
		seq := first + uint64(i)
		if seq > keptSeq {
			break
		}
		if !bytes.Equal(l, keptLines[seq-1]) {
			return nil, cli.Fail(cli.ExitError, fmt.Errorf("%s rewrites the kept entry seq %d of journal %s: its line differs from the one kept, so the journal was changed after it was kept; nothing was kept", name, seq, fp),
				fmt.Sprintf("the kept copy %s is unchanged; keep both files and compare the entries from seq %d", file, seq))
		}
	}
	if rep.LastSeq < keptSeq {
		return nil, cli.Fail(cli.ExitError, fmt.Errorf("%s: the copy ends at seq %d but the kept copy already goes to seq %d: entries %d..%d are missing from it; nothing was kept",
			name, rep.LastSeq, keptSeq, rep.LastSeq+1, keptSeq),
			fmt.Sprintf("a journal cut short hides its last entries: ask the officer why; the kept copy %s is unchanged", file))
	}
	if rep.LastSeq == keptSeq {
		return res.unchanged(keptLines), nil
	}

	merged := make([]byte, 0, len(kept)+len(data))
	merged = append(merged, kept...)
	for i, l := range lines {
		if first+uint64(i) > keptSeq {
			merged = append(append(merged, l...), '\n')
		}
	}
	if len(merged) > MaxKeptJournal {
		return nil, cli.Failf("", "the kept copy of journal %s would be larger than %d bytes; nothing was kept", fp, MaxKeptJournal)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, cli.Failf("", "cannot create the folder %s: %v", dir, unwrapPath(err))
	}
	if err := atomicfile.Write(file, merged, 0o644); err != nil {
		return nil, cli.Failf("", "cannot keep the copy: %v", err)
	}
	res.EntriesAfter = int64(rep.LastSeq)
	res.Added = res.EntriesAfter - res.EntriesBefore
	res.Head = FormatHead(rep.LastSeq, sha256.Sum256(lines[len(lines)-1]))
	res.HeadTime = rep.LastTime
	return res, nil
}

// head is the report's head as SEQ:HASH.
func (r *JournalReport) head() string {
	return fmt.Sprintf("%d:%s", r.LastSeq, r.LastHash)
}

// unchanged fills res for a copy that adds nothing to the kept lines.
func (res *KeepResult) unchanged(kept [][]byte) *KeepResult {
	res.EntriesAfter = res.EntriesBefore
	res.Head = res.HeadBefore
	t := lineTime(kept[len(kept)-1])
	res.HeadTime = &t
	return res
}

// readKept reads a kept copy, bounded; nil when there is none.
func readKept(file string) ([]byte, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, cli.Failf("", "cannot read the kept copy %s: %v", file, unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxKeptJournal+1))
	if err != nil {
		return nil, cli.Failf("", "cannot read the kept copy %s: %v", file, unwrapPath(err))
	}
	if len(b) > MaxKeptJournal {
		return nil, cli.Failf("", "the kept copy %s is larger than %d bytes", file, MaxKeptJournal)
	}
	if len(b) == 0 {
		return nil, cli.Failf("move it away and keep a whole copy again", "the kept copy %s is empty", file)
	}
	return b, nil
}

// splitJournal splits a journal that verified (every line ends in "\n")
// into its lines, without their newlines.
func splitJournal(b []byte) [][]byte {
	lines := bytes.SplitAfter(b, []byte{'\n'})
	out := make([][]byte, 0, len(lines))
	for _, l := range lines {
		if len(l) > 0 {
			out = append(out, bytes.TrimSuffix(l, []byte{'\n'}))
		}
	}
	return out
}

// lineTime is the time of a journal line; zero when it cannot be read.
func lineTime(line []byte) time.Time {
	var e struct {
		Time time.Time `json:"time"`
	}
	_ = json.Unmarshal(line, &e)
	return e.Time
}

// KeptJournal is one kept copy, as ListKept reads it.
type KeptJournal struct {
	Fingerprint string     `json:"fingerprint"`
	File        string     `json:"file"`
	Entries     int64      `json:"entries"`
	Head        string     `json:"head"`
	HeadTime    *time.Time `json:"head_time,omitempty"`
	Bytes       int64      `json:"bytes"`
}

// ListKept lists the copies kept in dir (KeepJournal's folder), by
// fingerprint; none when dir does not exist. It reads each file's last
// line for its head and does not verify it: the file carries no key, and
// KeepJournal verified it before writing it. `audit verify FILE --pubkey`
// checks it again.
func ListKept(dir string) ([]KeptJournal, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return []KeptJournal{}, nil
	}
	if err != nil {
		return nil, cli.Failf("", "cannot read the folder %s: %v", dir, unwrapPath(err))
	}
	out := []KeptJournal{}
	for _, e := range ents {
		fp, ok := strings.CutSuffix(e.Name(), ".jsonl")
		if !ok || len(fp) != 16 || !e.Type().IsRegular() {
			continue
		}
		if _, err := hex.DecodeString(fp); err != nil {
			continue
		}
		file := filepath.Join(dir, e.Name())
		b, err := readKept(file)
		if err != nil {
			return nil, err
		}
		k := KeptJournal{Fingerprint: fp, File: file, Bytes: int64(len(b))}
		lines := splitJournal(b)
		k.Entries = int64(len(lines))
		if len(lines) > 0 {
			last := lines[len(lines)-1]
			k.Head = FormatHead(leadingSeq(last), sha256.Sum256(last))
			t := lineTime(last)
			k.HeadTime = &t
		}
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Fingerprint < out[j].Fingerprint })
	return out, nil
}

type keepOptions struct {
	keyOptions
}

// NewKeepCommand returns `audit keep`, which verifies a journal copy and
// files it with KeepJournal in the folder dir returns (coffer-watch's data
// folder's journals/).
func NewKeepCommand(o Options, dir func() (string, error)) *cobra.Command {
	k := &keepOptions{}
	cmd := &cobra.Command{
		Use:   "keep FILE|-",
		Short: "Verify a journal copy from the vault and keep it, extending the copy kept before",
		Long: `Keep the auditors' copy of the vault's journal on the online machine.

FILE (or - for standard input) is a copy made by 'coffer audit export', whole
or with --since. It is verified exactly as 'audit verify' does: every line in
canonical form, seq rising by one, each prev the hash of the line before,
times never going backwards, every signature by the journal key (--pubkey, or
the journal_public_key of --ceremony, whose SHA-256 seq 1 must then record).
A copy that does not verify is refused, naming the first bad entry, and
nothing is stored.

The copy is kept in the data folder as journals/FINGERPRINT.jsonl, where
FINGERPRINT is the first 16 hex digits of the SHA-256 of the journal public
key; journals of other keys are kept apart. The first copy of a journal must
start at seq 1. Once a copy is kept, a new one must extend it: a whole copy
must hold every kept entry byte for byte, a --since copy must overlap the kept
entries byte for byte or start right after the kept head (its link to the
kept entry before it is checked). A copy that rewrites a kept entry (naming
the first seq that differs), or ends before the kept head, is refused with
exit 1 and the kept copy is unchanged: a signer cannot rewrite or cut short
what the auditors hold. A copy with nothing new says so and exits 0.

It prints the journal key, the entries kept before and after, and the head
(SEQ:HASH): compare it with the head the officer's 'coffer audit export'
printed. 'audit show-kept' lists the kept journals.`,
		Example: fmt.Sprintf(`  %[1]s audit keep journal-2026-08-20.jsonl --ceremony ceremony.json
  %[1]s audit keep new.jsonl --pubkey 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29
  coffer audit export --since 41 | %[1]s audit keep - --ceremony ceremony.json --json
  %[1]s audit show-kept`, o.Prog),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKeep(cmd, o, k, dir, args[0])
		},
	}
	k.addFlags(cmd)
	return cmd
}

func runKeep(cmd *cobra.Command, o Options, k *keepOptions, dir func() (string, error), file string) error {
	pub, sum, err := k.key()
	if err != nil {
		return err
	}
	d, err := dir()
	if err != nil {
		return err
	}
	name := file
	var r io.Reader
	switch file {
	case "":
		return cli.Failf("", "the file name is empty")
	case "-":
		name, r = "standard input", cmd.InOrStdin()
	default:
		if fi, err := os.Stat(file); err != nil {
			return cli.Failf("", "cannot read journal copy %s: %v", file, unwrapPath(err))
		} else if !fi.Mode().IsRegular() {
			return cli.Failf("", "cannot read journal copy %s: it is not a regular file", file)
		}
		f, err := os.Open(file)
		if err != nil {
			return cli.Failf("", "cannot read journal copy %s: %v", file, unwrapPath(err))
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxKeptJournal+1))
	if err != nil {
		return cli.Failf("", "cannot read journal copy %s: %v", name, unwrapPath(err))
	}
	if len(data) > MaxKeptJournal {
		return cli.Failf("", "journal copy %s is larger than %d bytes", name, MaxKeptJournal)
	}
	res, err := KeepJournal(d, data, name, JournalOptions{PublicKey: pub, CeremonySHA256: sum})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		cli.Warn(cmd.ErrOrStderr(), o.Prog, "%s", w)
	}
	return writeReport(cmd.OutOrStdout(), o, res, printKeepResult)
}

func printKeepResult(w io.Writer, r *KeepResult) {
	fmt.Fprintf(w, "kept:        %s\n", r.File)
	fmt.Fprintf(w, "public key:  %s (fingerprint %s)\n", r.PublicKey, r.Fingerprint)
	if r.CopyLastSeq > 0 {
		fmt.Fprintf(w, "copy:        %s, seq %d to %d\n", r.Copy, r.CopyFirstSeq, r.CopyLastSeq)
	} else {
		fmt.Fprintf(w, "copy:        %s, no entries\n", r.Copy)
	}
	if r.Added == 0 {
		fmt.Fprintf(w, "entries:     %d before, %d after (nothing new: the copy holds no entry after the kept head)\n", r.EntriesBefore, r.EntriesAfter)
	} else {
		fmt.Fprintf(w, "entries:     %d before, %d after (%d new)\n", r.EntriesBefore, r.EntriesAfter, r.Added)
	}
	fmt.Fprintf(w, "head:        %s\n", r.Head)
	if r.HeadTime != nil {
		fmt.Fprintf(w, "head time:   %s\n", r.HeadTime.UTC().Format(timeFormat))
	}
	if r.CeremonyChecked {
		fmt.Fprintf(w, "ceremony:    seq 1 records the ceremony transcript\n")
	}
}

// NewShowKeptCommand returns `audit show-kept`, which lists what
// `audit keep` kept in the folder dir returns.
func NewShowKeptCommand(o Options, dir func() (string, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "show-kept",
		Short: "List the journal copies kept by 'audit keep' with their heads",
		Long: `List the journal copies 'audit keep' holds in the data folder (journals/):
per journal key fingerprint, the entries kept, the head (SEQ:HASH) and the
time of the last entry. The heads are read from the files, not verified again
(the files carry no key): 'audit verify FILE --pubkey KEY' re-checks one.`,
		Example: fmt.Sprintf(`  %[1]s audit show-kept
  %[1]s audit show-kept --json`, o.Prog),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := dir()
			if err != nil {
				return err
			}
			list, err := ListKept(d)
			if err != nil {
				return err
			}
			if o.json() {
				return cli.WriteJSON(cmd.OutOrStdout(), struct {
					Folder   string        `json:"folder"`
					Journals []KeptJournal `json:"journals"`
				}{d, list})
			}
			w := cmd.OutOrStdout()
			if len(list) == 0 {
				fmt.Fprintf(w, "no journal is kept in %s\n", d)
				return nil
			}
			for _, k := range list {
				t := ""
				if k.HeadTime != nil {
					t = k.HeadTime.UTC().Format(timeFormat)
				}
				fmt.Fprintf(w, "%s  %d entries  head %s  %s  %s\n", k.Fingerprint, k.Entries, k.Head, t, k.File)
			}
			return nil
		},
	}
}
