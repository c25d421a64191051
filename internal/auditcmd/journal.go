package auditcmd

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coffer-custody/coffer/audit"
)

// JournalOptions say how to verify a journal.
type JournalOptions struct {
	// PublicKey is the journal public key.
	PublicKey ed25519.PublicKey
	// CeremonySHA256, when set, is the SHA-256 of the ceremony transcript:
	// the journal's seq 1 (a keygen or restore entry) must record it.
	CeremonySHA256 *[32]byte
	// After pins where a partial journal (an export made with --since)
	// continues: the seq and line hash of the entry before its first. Nil
	// takes the first entry's own prev, with a warning.
	After *audit.Head
}

// JournalReport is what VerifyJournal found: the fields of `audit verify`.
type JournalReport struct {
	Journal   string           `json:"journal"`
	PublicKey string           `json:"public_key"`
	Valid     bool             `json:"valid"`
	Entries   int64            `json:"entries"`
	FirstSeq  uint64           `json:"first_seq,omitempty"`
	LastSeq   uint64           `json:"last_seq,omitempty"`
	LastHash  string           `json:"last_hash,omitempty"`
	FirstTime *time.Time       `json:"first_time,omitempty"`
	LastTime  *time.Time       `json:"last_time,omitempty"`
	Kinds     map[string]int64 `json:"kinds"`
	// Signed totals the sign entries by wallet: the one the entry names,
	// else the one its change returns to (empty when none).
	Signed []WalletTotal `json:"signed"`
	// Proven lists, per key, the last prove entry (a key health check).
	Proven []KeyProof `json:"proven"`
	// CeremonyChecked is true when seq 1 was checked against the ceremony.
	CeremonyChecked bool     `json:"ceremony_checked"`
	Warnings        []string `json:"warnings,omitempty"`
	// Failure is the first bad entry, when Valid is false.
	Failure *Failure `json:"failure,omitempty"`
}

// WalletTotal is what the journal's sign entries say a wallet signed.
type WalletTotal struct {
	Wallet    string `json:"wallet"`
	Signings  int64  `json:"signings"`
	SpentSats int64  `json:"spent_sats"`
	// Unknown counts sign entries without a readable spent_sats.
	Unknown int64 `json:"without_amount,omitempty"`
}

// KeyProof is the last proof of control made with one key.
type KeyProof struct {
	Key     string    `json:"key"` // "[fingerprint/account path]", else the address
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Address string    `json:"address,omitempty"`
	Count   int64     `json:"count"`
}

// Failure names the first entry that failed and why.
type Failure struct {
	Line   int64  `json:"line,omitempty"`
	Seq    uint64 `json:"seq,omitempty"`
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

// signData is what the report reads from a sign entry's data (written by
// coffer sign): what left the vault, and the wallet named by the entry or,
// when it names none, the wallet its change returns to.
type signData struct {
	Wallet    string          `json:"wallet"`
	SpentSats json.RawMessage `json:"spent_sats"`
	Outputs   []struct {
		Label  string `json:"label"`
		Wallet string `json:"wallet"`
	} `json:"outputs"`
}

// wallet names the wallet a signing spent from, as far as the entry says.
func (d *signData) wallet() string {
	if d.Wallet != "" {
		return d.Wallet
	}
	for _, o := range d.Outputs {
		if o.Label == "change" && o.Wallet != "" {
			return o.Wallet
		}
	}
	return "(wallet not recorded)"
}

// proveData is what a prove entry's data holds (written by coffer prove).
type proveData struct {
	MasterFingerprint string `json:"master_fingerprint"`
	AccountPath       string `json:"account_path"`
	Address           string `json:"address"`
}

// ceremonyData is what a keygen or restore entry records of the transcript.
type ceremonyData struct {
	CeremonySHA256 string `json:"ceremony_sha256"`
}

// tally is the Visitor that builds the report's totals.
type tally struct {
	opts    *JournalOptions
	signed  map[string]*WalletTotal
	proven  map[string]*KeyProof
	checked bool
}

func newTally(opts *JournalOptions) *tally {
	return &tally{opts: opts, signed: map[string]*WalletTotal{}, proven: map[string]*KeyProof{}}
}

func (t *tally) Visit(e audit.Entry) error {
	switch e.Kind {
	case audit.KindKeygen, audit.KindRestore:
		if e.Seq == 1 && t.opts.CeremonySHA256 != nil {
			var d ceremonyData
			_ = json.Unmarshal(e.Data, &d)
			want := hex.EncodeToString(t.opts.CeremonySHA256[:])
			if d.CeremonySHA256 != want {
				return fmt.Errorf("it records ceremony_sha256 %q, but the ceremony transcript hashes to %s", d.CeremonySHA256, want)
			}
			t.checked = true
		}
	case audit.KindSign:
		var d signData
		_ = json.Unmarshal(e.Data, &d)
		name := d.wallet()
		w := t.signed[name]
		if w == nil {
			w = &WalletTotal{Wallet: name}
			t.signed[name] = w
		}
		w.Signings++
		if n, err := strconv.ParseInt(string(d.SpentSats), 10, 64); err == nil && n >= 0 && w.SpentSats <= 1<<62 {
			w.SpentSats += n
		} else {
			w.Unknown++
		}
	case audit.KindProve:
		var d proveData
		_ = json.Unmarshal(e.Data, &d)
		key := d.Address
		if d.MasterFingerprint != "" && d.AccountPath != "" {
			key = "[" + d.MasterFingerprint + "/" + strings.TrimPrefix(d.AccountPath, "m/") + "]"
		}
		if key == "" {
			key = "(no key named)"
		}
		p := t.proven[key]
		if p == nil {
			p = &KeyProof{Key: key}
			t.proven[key] = p
		}
		p.Seq, p.Time, p.Address = e.Seq, e.Time, d.Address
		p.Count++
	}
	if t.opts.CeremonySHA256 != nil && e.Seq == 1 && !t.checked {
		return fmt.Errorf("it is a %q entry, not the keygen or restore entry that records the ceremony", e.Kind)
	}
	return nil
}

// VerifyJournal verifies the journal in the file at path and reports what
// it holds. The report is filled as far as verification got; err is a
// *audit.VerifyError (wrapped) when an entry is bad, or another error when
// the file cannot be read. A journal that starts after seq 1 (a partial
// copy) continues opts.After, or its own first prev with a warning.
func VerifyJournal(path string, opts JournalOptions) (*JournalReport, error) {
	f, err := os.Open(path)
	if err != nil {
		rep := &JournalReport{Journal: path, PublicKey: audit.FormatPublicKey(opts.PublicKey), Kinds: map[string]int64{}, Signed: []WalletTotal{}, Proven: []KeyProof{}}
		return rep, fmt.Errorf("cannot open journal %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	return VerifyJournalReader(f, path, opts)
}

// VerifyJournalReader is VerifyJournal for a journal read from r, named
// name in the report (a copy given on standard input, or held in memory).
func VerifyJournalReader(r io.Reader, name string, opts JournalOptions) (*JournalReport, error) {
	rep := &JournalReport{Journal: name, PublicKey: audit.FormatPublicKey(opts.PublicKey), Kinds: map[string]int64{}, Signed: []WalletTotal{}, Proven: []KeyProof{}}
	br := bufio.NewReaderSize(r, 64<<10)

	after := audit.Head{}
	if opts.After != nil {
		after = *opts.After
	} else if first, ok := peekFirstEntry(br); ok && first.seq > 1 {
		after = audit.Head{Seq: first.seq - 1, Hash: first.prev}
		rep.Warnings = append(rep.Warnings, fmt.Sprintf(
			"the journal starts at seq %d: its link to seq %d (line hash %x) is taken from the file, not checked against an earlier copy; pass --after %d:%x with the head of the previous copy",
			first.seq, first.seq-1, first.prev, first.seq-1, first.prev))
	}
	if after.Seq > 0 && opts.CeremonySHA256 != nil {
		rep.Warnings = append(rep.Warnings, "the journal does not start at seq 1, so it was not checked against the ceremony transcript")
	}
	t := newTally(&opts)
	vr, verr := audit.VerifyFrom(br, opts.PublicKey, after, t)
	if r := vr; r != nil {
		rep.Entries = r.Entries
		for k, n := range r.Kinds {
			rep.Kinds[k] = n
		}
		if r.Entries > 0 {
			rep.FirstSeq, rep.LastSeq = r.Start.Seq+1, r.End.Seq
			rep.LastHash = hex.EncodeToString(r.End.Hash[:])
			first, last := r.First, r.Last
			rep.FirstTime, rep.LastTime = &first, &last
		}
	}
	rep.CeremonyChecked = t.checked
	for _, w := range t.signed {
		rep.Signed = append(rep.Signed, *w)
	}
	sort.Slice(rep.Signed, func(i, j int) bool { return rep.Signed[i].Wallet < rep.Signed[j].Wallet })
	for _, p := range t.proven {
		rep.Proven = append(rep.Proven, *p)
	}
	sort.Slice(rep.Proven, func(i, j int) bool { return rep.Proven[i].Key < rep.Proven[j].Key })
	if fail, err := journalFailure(verr, rep.Entries); err != nil {
		rep.Failure = fail
		return rep, err
	}
	rep.Valid = true
	return rep, nil
}

// journalFailure is what a report records, and its function returns,
// when audit.Verify stopped with verr (the first bad entry, or an
// unreadable file) or read no entries; nil, nil when the journal verified.
func journalFailure(verr error, entries int64) (*Failure, error) {
	if verr != nil {
		fail := &Failure{Reason: "unreadable", Error: verr.Error()}
		var ve *audit.VerifyError
		if errors.As(verr, &ve) {
			fail.Line, fail.Seq, fail.Reason = ve.Line, ve.Seq, ve.Reason.String()
		}
		return fail, verr
	}
	if entries == 0 {
		err := errors.New("the journal has no entries")
		return &Failure{Reason: "empty", Error: err.Error()}, err
	}
	return nil, nil
}

type firstEntry struct {
	seq  uint64
	prev [32]byte
}

// peekFirstEntry reads the seq and prev of the first line without
// consuming it; ok is false when they cannot be read (Verify will say why).
func peekFirstEntry(br *bufio.Reader) (firstEntry, bool) {
	// The seq and prev sit in the first 200 bytes of a line.
	b, _ := br.Peek(256)
	var e struct {
		Seq  uint64 `json:"seq"`
		Prev string `json:"prev"`
	}
	end := bytes.Index(b, []byte(`","data":`))
	if end < 0 {
		return firstEntry{}, false
	}
	if err := json.Unmarshal(append(append([]byte(nil), b[:end+1]...), '}'), &e); err != nil {
		return firstEntry{}, false
	}
	var fe firstEntry
	fe.seq = e.Seq
	p, err := hex.DecodeString(e.Prev)
	if err != nil || len(p) != 32 {
		return firstEntry{}, false
	}
	copy(fe.prev[:], p)
	return fe, true
}

// ParseHead reads a journal head written SEQ:HASH (the form `audit verify`
// and `audit export` print).
func ParseHead(s string) (audit.Head, error) {
	seqText, hashText, ok := strings.Cut(s, ":")
	if !ok {
		return audit.Head{}, fmt.Errorf("head %q is not SEQ:HASH", s)
	}
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if err != nil || seq == 0 {
		return audit.Head{}, fmt.Errorf("head %q: seq %q is not a positive number", s, seqText)
	}
	h, err := hex.DecodeString(hashText)
	if err != nil || len(h) != 32 {
		return audit.Head{}, fmt.Errorf("head %q: hash is not 64 hex digits", s)
	}
	var head audit.Head
	head.Seq = seq
	copy(head.Hash[:], h)
	return head, nil
}

// FormatHead writes a head as ParseHead reads it.
func FormatHead(seq uint64, hash [32]byte) string {
	return fmt.Sprintf("%d:%x", seq, hash)
}

// ExportResult says what ExportJournal copied.
type ExportResult struct {
	Entries  int64  `json:"entries"`
	FirstSeq uint64 `json:"first_seq,omitempty"`
	LastSeq  uint64 `json:"last_seq"`
	LastHash string `json:"last_hash"`
	// After is the head the copy continues (SEQ:HASH), for
	// `audit verify --after`; empty when the copy starts at seq 1.
	After  string `json:"after,omitempty"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// ExportJournal verifies the journal at path with pub, then copies to w
// the entries after seq since (all for 0), up to the last entry verified.
// Nothing is written when verification fails. The copy is checked against
// the verified chain as it is made, so a file changed between the two
// passes is refused.
func ExportJournal(w io.Writer, path string, pub ed25519.PublicKey, since uint64) (*ExportResult, error) {
	rep, err := audit.VerifyFile(path, pub)
	if err != nil {
		return nil, err
	}
	if since > rep.End.Seq {
		return nil, fmt.Errorf("--since %d is past the journal's last entry, seq %d", since, rep.End.Seq)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open journal %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), audit.MaxLineLen+1)
	res := &ExportResult{LastSeq: rep.End.Seq}
	sum := sha256.New()
	out := io.MultiWriter(w, sum)
	var seq uint64
	var last [32]byte
	for seq < rep.End.Seq && sc.Scan() {
		seq++
		line := sc.Bytes()
		h := sha256.Sum256(line)
		if got := leadingSeq(line); got != seq {
			return nil, fmt.Errorf("journal %s changed while it was exported: line %d has seq %d", path, seq, got)
		}
		if seq == since {
			res.After = FormatHead(seq, h)
		}
		if seq > since {
			if res.FirstSeq == 0 {
				res.FirstSeq = seq
			}
			if _, err := out.Write(line); err != nil {
				return nil, fmt.Errorf("cannot write the export: %v", err)
			}
			if _, err := out.Write([]byte{'\n'}); err != nil {
				return nil, fmt.Errorf("cannot write the export: %v", err)
			}
			res.Entries++
			res.Bytes += int64(len(line)) + 1
		}
		last = h
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read journal %s: %v", path, err)
	}
	if seq != rep.End.Seq || last != rep.End.Hash {
		return nil, fmt.Errorf("journal %s changed while it was exported: its entry seq %d is not the one verified", path, rep.End.Seq)
	}
	res.LastHash = hex.EncodeToString(last[:])
	res.SHA256 = hex.EncodeToString(sum.Sum(nil))
	return res, nil
}

// leadingSeq reads the seq of a journal line's `{"seq":N,` prefix; 0 when
// there is none.
func leadingSeq(line []byte) uint64 {
	rest, ok := bytes.CutPrefix(line, []byte(`{"seq":`))
	if !ok {
		return 0
	}
	end := bytes.IndexByte(rest, ',')
	if end < 0 {
		return 0
	}
	n, err := strconv.ParseUint(string(rest[:end]), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// unwrapPath drops the operation and path of an *os.PathError, which the
// caller names itself.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
