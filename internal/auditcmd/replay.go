package auditcmd

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/policy"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

// SignReplay is what coffer sign records in each sign entry (its "replay"
// field) so that audit replay can decide the signing again: the whole
// Review the policy judged, its SHA-256, the initiator the PSBT named and
// every approval the decision was given, with the exact bytes of the
// document and of its armored signature.
type SignReplay struct {
	Review       *sign.Review       `json:"review,omitempty"`
	ReviewSHA256 string             `json:"review_sha256"` // of the review's JSON encoding
	Initiator    string             `json:"initiator,omitempty"`
	Approvals    []RecordedApproval `json:"approvals"`
	// Omitted says why the review and approvals are not recorded (a
	// review too large for a journal line); the entry is then not
	// checkable by replay.
	Omitted string `json:"omitted,omitempty"`
}

// RecordedApproval is one approval as a sign entry records it.
type RecordedApproval struct {
	Name string `json:"name"` // where it came from: a file or "PSBT approval #N"
	Doc  string `json:"doc"`  // base64 of the document's exact bytes
	Sig  string `json:"sig"`  // base64 of the armored SSH signature
}

// MaxSignEntryData bounds the data of a sign entry: a journal line is at
// most audit.MaxLineLen, and the entry's envelope (seq, time, kind, hashes,
// signature) takes a few hundred bytes of it.
const MaxSignEntryData = audit.MaxLineLen - 4096

// NewSignReplay records a review, the initiator named by the PSBT and the
// approvals given to the policy's decision.
func NewSignReplay(r *sign.Review, initiator string, approvals []*approval.Approval) (*SignReplay, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("the review cannot be written as JSON: %v", err)
	}
	sum := sha256.Sum256(b)
	s := &SignReplay{Review: r, ReviewSHA256: hex.EncodeToString(sum[:]), Initiator: initiator, Approvals: []RecordedApproval{}}
	for _, a := range approvals {
		s.Approvals = append(s.Approvals, RecordedApproval{Name: a.Name,
			Doc: base64.StdEncoding.EncodeToString(a.Raw), Sig: base64.StdEncoding.EncodeToString(a.Sig.Marshal())})
	}
	return s, nil
}

// Omit drops the review and the approvals, keeping the review's SHA-256,
// and says why: replay reports the entry as not checkable.
func (s *SignReplay) Omit(why string) {
	s.Review, s.Approvals, s.Omitted = nil, []RecordedApproval{}, why
}

// PolicyFile is a policy file given to Replay: its name, for messages, and
// its exact bytes, matched by SHA-256 with the journal's policy installs.
type PolicyFile struct {
	Name string
	Data []byte
}

// ReadPolicyFiles reads policy files for Replay, each at most
// policy.MaxFileSize bytes.
func ReadPolicyFiles(paths []string) ([]PolicyFile, error) {
	out := make([]PolicyFile, 0, len(paths))
	for _, p := range paths {
		b, err := readBounded(p, policy.MaxFileSize, "policy file")
		if err != nil {
			return nil, err
		}
		out = append(out, PolicyFile{Name: p, Data: b})
	}
	return out, nil
}

// ReplayOptions say how to verify the journal and which policies to use.
type ReplayOptions struct {
	PublicKey      ed25519.PublicKey
	CeremonySHA256 *[32]byte // when set, seq 1 must record the transcript
	Policies       []PolicyFile
}

// ReplayStatus is what replay concluded of one signing.
type ReplayStatus string

// The statuses of a replayed signing.
const (
	StatusPassed        ReplayStatus = "passed"         // the policy in force allows it again, by the recorded rule
	StatusFailed        ReplayStatus = "failed"         // it would not pass, or its record contradicts the journal
	StatusNoPolicy      ReplayStatus = "no-policy"      // signed without any spending policy (--no-policy)
	StatusNotCheckable  ReplayStatus = "not-checkable"  // the entry lacks what a decision needs (older format, review too large)
	StatusPolicyMissing ReplayStatus = "policy-missing" // the policy in force was not given
)

// ReplayedSigning is the replay of one sign entry.
type ReplayedSigning struct {
	Seq          uint64       `json:"seq"`
	Time         time.Time    `json:"time"`
	TxID         string       `json:"txid,omitempty"`
	Status       ReplayStatus `json:"status"`
	RecordedRule string       `json:"recorded_rule,omitempty"`
	Rule         string       `json:"rule,omitempty"`          // the rule that allows it on replay
	Policy       string       `json:"policy_sha256,omitempty"` // the policy in force
	PolicySeq    uint64       `json:"policy_install_seq,omitempty"`
	Clock        *time.Time   `json:"clock,omitempty"` // the time the decision was replayed at
	Why          []string     `json:"why,omitempty"`
}

// ReplayPolicy is one policy the journal installed, and the file given for it.
type ReplayPolicy struct {
	SHA256      string    `json:"sha256"`
	InstallSeq  uint64    `json:"install_seq"`
	InstalledAt time.Time `json:"installed_at"`
	File        string    `json:"file,omitempty"` // empty when not given
	Signings    int       `json:"signings"`       // sign entries made while it was in force
}

// ReplayReport is what Replay found. Signings lists every signing that
// did not pass; those that passed are counted.
type ReplayReport struct {
	Journal       string            `json:"journal"`
	PublicKey     string            `json:"public_key"`
	Verified      bool              `json:"verified"` // the journal's chain and signatures hold
	Entries       int64             `json:"entries"`
	LastSeq       uint64            `json:"last_seq,omitempty"`
	LastHash      string            `json:"last_hash,omitempty"`
	Policies      []ReplayPolicy    `json:"policies"`
	UnusedFiles   []string          `json:"unused_policy_files,omitempty"`
	Total         int               `json:"signings"`
	Passed        int               `json:"passed"`
	Failed        int               `json:"failed"`
	NoPolicy      int               `json:"no_policy"`
	NotCheckable  int               `json:"not_checkable"`
	PolicyMissing int               `json:"policy_missing"`
	Signings      []ReplayedSigning `json:"not_passed"`
	// Valid is true when the journal verifies and every signing passed.
	Valid   bool     `json:"valid"`
	Failure *Failure `json:"failure,omitempty"`
}

// recordedPolicy is the policy block of a sign entry (coffer sign's
// policyOutcome).
type recordedPolicy struct {
	NoPolicy bool      `json:"no_policy"`
	Rule     string    `json:"rule"`
	SHA256   string    `json:"sha256"`
	Time     time.Time `json:"time"` // the time the decision used
}

// signRecord is what replay reads from a sign entry.
type signRecord struct {
	TxID      string          `json:"txid"`
	Network   string          `json:"network"`
	SpentSats json.RawMessage `json:"spent_sats"`
	Policy    *recordedPolicy `json:"policy"`
	Replay    *SignReplay     `json:"replay"`
}

// replayer is the Visitor that decides each sign entry again with the
// policy state built from the entries before it.
type replayer struct {
	state    *policy.State
	rep      *ReplayReport
	files    map[[32]byte]*PolicyFile
	used     map[[32]byte]bool
	parsed   map[string]*policy.Policy // by SHA-256 and network
	installs map[uint64]int            // install seq -> index in rep.Policies
}

func (r *replayer) Visit(e audit.Entry) error {
	if e.Kind == audit.KindSign {
		r.judge(e)
	}
	if err := r.state.Visit(e); err != nil {
		return err
	}
	if e.Kind == audit.KindPolicyInstall {
		in := r.state.Installed()
		p := ReplayPolicy{SHA256: hex.EncodeToString(in.SHA256[:]), InstallSeq: in.Seq, InstalledAt: in.Time}
		if f := r.files[in.SHA256]; f != nil {
			p.File = f.Name
			r.used[in.SHA256] = true
		}
		r.installs[in.Seq] = len(r.rep.Policies)
		r.rep.Policies = append(r.rep.Policies, p)
	}
	return nil
}

// judge replays one sign entry and records the result.
func (r *replayer) judge(e audit.Entry) {
	s := ReplayedSigning{Seq: e.Seq, Time: e.Time}
	s.Status, s.Why = r.decide(e, &s)
	r.rep.Total++
	switch s.Status {
	case StatusPassed:
		r.rep.Passed++
		return
	case StatusFailed:
		r.rep.Failed++
	case StatusNoPolicy:
		r.rep.NoPolicy++
	case StatusNotCheckable:
		r.rep.NotCheckable++
	case StatusPolicyMissing:
		r.rep.PolicyMissing++
	}
	r.rep.Signings = append(r.rep.Signings, s)
}

func one(format string, args ...any) []string { return []string{fmt.Sprintf(format, args...)} }

func (r *replayer) decide(e audit.Entry, s *ReplayedSigning) (ReplayStatus, []string) {
	var d signRecord
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return StatusNotCheckable, one("its data cannot be read: %v", err)
	}
	s.TxID = d.TxID
	in := r.state.Installed()
	if in != nil {
		s.Policy, s.PolicySeq = hex.EncodeToString(in.SHA256[:]), in.Seq
		r.rep.Policies[r.installs[in.Seq]].Signings++
	}
	if d.Policy != nil {
		s.RecordedRule = d.Policy.Rule
	}
	switch {
	case d.Policy != nil && d.Policy.NoPolicy && in != nil:
		return StatusFailed, one("it was signed with --no-policy while the policy %s installed at seq %d was in force", s.Policy, in.Seq)
	case d.Policy != nil && d.Policy.NoPolicy:
		return StatusNoPolicy, one("it was signed with --no-policy: no spending policy was installed, so nothing limited it")
	case d.Policy == nil && in == nil:
		return StatusNoPolicy, one("the entry records no policy decision and no spending policy was installed (written by a coffer older than the spending policy)")
	case d.Policy == nil:
		return StatusNotCheckable, one("the entry records no policy decision (written by an older coffer) although the policy %s installed at seq %d was in force", s.Policy, in.Seq)
	case in == nil:
		return StatusFailed, one("the entry says rule %q of policy %s allowed it, but no policy had been installed", d.Policy.Rule, d.Policy.SHA256)
	case d.Policy.SHA256 != s.Policy:
		return StatusFailed, one("the entry says policy %s allowed it, but the policy in force was %s (installed at seq %d)", d.Policy.SHA256, s.Policy, in.Seq)
	case d.Replay == nil:
		return StatusNotCheckable, one("the entry records no review (written by an older coffer), so the decision cannot be made again")
	case d.Replay.Review == nil:
		why := d.Replay.Omitted
		if why == "" {
			why = "no reason given"
		}
		return StatusNotCheckable, one("the review was not journaled (%s); only its sha256 %s is recorded", why, d.Replay.ReviewSHA256)
	}
	f := r.files[in.SHA256]
	if f == nil {
		return StatusPolicyMissing, one("the policy in force, sha256 %s (installed at seq %d), was not given: pass its file with --policy", s.Policy, in.Seq)
	}
	rv := d.Replay.Review
	var why []string
	if rv.TxID != d.TxID {
		why = append(why, fmt.Sprintf("the recorded review is of transaction %s, but the entry names %s", rv.TxID, d.TxID))
	}
	if b, err := json.Marshal(rv); err != nil || hexSum(b) != d.Replay.ReviewSHA256 {
		why = append(why, fmt.Sprintf("the recorded review does not hash to its recorded sha256 %s", d.Replay.ReviewSHA256))
	}
	if n, err := strconv.ParseInt(string(d.SpentSats), 10, 64); err != nil || n != int64(rv.Sent) {
		why = append(why, fmt.Sprintf("the entry's spent_sats %s (what velocity limits count) is not the review's %d sat sent", string(d.SpentSats), int64(rv.Sent)))
	}
	net, err := wallet.ParseNetwork(rv.Network)
	if err != nil {
		why = append(why, fmt.Sprintf("the review's network %q is not known", rv.Network))
	}
	if len(why) > 0 {
		return StatusFailed, why
	}
	pol, err := r.parse(f, in.SHA256, net)
	if err != nil {
		return StatusNotCheckable, one("the policy file %s (sha256 %s) cannot be read for %s: %v", f.Name, s.Policy, net, err)
	}
	approvals, err := recordedApprovals(d.Replay.Approvals)
	if err != nil {
		return StatusFailed, one("%v", err)
	}
	clock := e.Time
	if !d.Policy.Time.IsZero() {
		clock = d.Policy.Time.UTC()
	}
	if clock.After(e.Time) {
		return StatusFailed, one("the recorded decision time %s is after the entry's own time %s", clock.Format(timeFormat), e.Time.UTC().Format(timeFormat))
	}
	s.Clock = &clock
	dec := pol.Evaluate(policy.Input{Review: rv, Approvals: approvals, Initiator: d.Replay.Initiator, Journal: r.state, Clock: clock})
	if !dec.Allowed {
		var re *policy.RefusalError
		if errors.As(dec.Err(), &re) {
			for _, x := range re.Reasons {
				why = append(why, x.String())
			}
		}
		if len(why) == 0 {
			why = one("the policy refuses it")
		}
		return StatusFailed, why
	}
	s.Rule = dec.Rule
	if dec.Rule != d.Policy.Rule {
		return StatusFailed, one("on replay rule %q allows it first, but the entry records rule %q", dec.Rule, d.Policy.Rule)
	}
	return StatusPassed, nil
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// parse reads a given policy file for a network, once.
func (r *replayer) parse(f *PolicyFile, sum [32]byte, net wallet.Network) (*policy.Policy, error) {
	key := hex.EncodeToString(sum[:]) + "/" + net.String()
	if p, ok := r.parsed[key]; ok {
		return p, nil
	}
	p, err := policy.Parse(f.Data, net)
	if err != nil {
		return nil, err
	}
	r.parsed[key] = p
	return p, nil
}

// recordedApprovals decodes the approvals of a sign entry.
func recordedApprovals(recs []RecordedApproval) ([]*approval.Approval, error) {
	if len(recs) > 2*approval.MaxApprovals {
		return nil, fmt.Errorf("the entry records %d approvals, more than %d", len(recs), 2*approval.MaxApprovals)
	}
	out := make([]*approval.Approval, 0, len(recs))
	for i, a := range recs {
		doc, err := base64.StdEncoding.Strict().DecodeString(a.Doc)
		if err != nil {
			return nil, fmt.Errorf("recorded approval #%d (%s): the document is not base64", i, a.Name)
		}
		sig, err := base64.StdEncoding.Strict().DecodeString(a.Sig)
		if err != nil {
			return nil, fmt.Errorf("recorded approval #%d (%s): the signature is not base64", i, a.Name)
		}
		ap, err := approval.Parse(a.Name, doc, sig)
		if err != nil {
			return nil, fmt.Errorf("recorded approval #%d: %v", i, err)
		}
		out = append(out, ap)
	}
	return out, nil
}

// Replay verifies the whole journal at path (from seq 1: velocity limits
// need every signing) and decides every sign entry again with the policy
// that was in force when it was made: the last policy-install before it
// names the policy's SHA-256, and the file with that hash among
// opts.Policies is used (none is guessed). The decision is made with the
// entry's recorded review, approvals and initiator, the journal state as
// it stood before the entry (velocity window, suspensions, locks) and the
// time the signer's decision used. err is non-nil only when the journal
// cannot be read or does not verify; the report says which signings did
// not pass.
func Replay(path string, opts ReplayOptions) (*ReplayReport, error) {
	rep := &ReplayReport{Journal: path, PublicKey: audit.FormatPublicKey(opts.PublicKey), Policies: []ReplayPolicy{}, Signings: []ReplayedSigning{}}
	r := &replayer{state: policy.NewState(), rep: rep, files: map[[32]byte]*PolicyFile{}, used: map[[32]byte]bool{},
		parsed: map[string]*policy.Policy{}, installs: map[uint64]int{}}
	for i := range opts.Policies {
		f := &opts.Policies[i]
		r.files[sha256.Sum256(f.Data)] = f
	}
	fh, err := os.Open(path)
	if err != nil {
		err = fmt.Errorf("cannot open journal %s: %v", path, unwrapPath(err))
		rep.Failure = &Failure{Reason: "unreadable", Error: err.Error()}
		return rep, err
	}
	defer fh.Close()
	jopts := JournalOptions{PublicKey: opts.PublicKey, CeremonySHA256: opts.CeremonySHA256}
	t := newTally(&jopts)
	vr, verr := audit.Verify(bufio.NewReaderSize(fh, 64<<10), opts.PublicKey, t, r)
	if vr != nil {
		rep.Entries = vr.Entries
		if vr.Entries > 0 {
			rep.LastSeq, rep.LastHash = vr.End.Seq, hex.EncodeToString(vr.End.Hash[:])
		}
	}
	for _, f := range opts.Policies {
		if !r.used[sha256.Sum256(f.Data)] {
			rep.UnusedFiles = append(rep.UnusedFiles, f.Name)
		}
	}
	if fail, err := journalFailure(verr, rep.Entries); err != nil {
		rep.Failure = fail
		return rep, err
	}
	rep.Verified = true
	rep.Valid = rep.Passed == rep.Total
	return rep, nil
}
