package policy

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/audit"
)

// LockAfterRefusals is how many refusals in a row lock the signer until an
// admin quorum signs a resume statement (a compromised online side probing
// the policy).
const LockAfterRefusals = 10

// State is what the policy needs from the vault's journal: what left the
// vault when (the audit package's SpentIndex), the last entry (the clock
// may not be earlier), whether the key is suspended or the signer locked,
// and which policies were installed. Build it with ReadState, which
// verifies the whole journal in the same pass (hash chain and
// signatures), then keep it current with Visit as entries are appended.
type State struct {
	spent     *audit.SpentIndex
	last      audit.Head
	suspended *Hold
	streak    int
	locked    *Hold
	installed *Installed
	history   map[[32]byte]uint64 // policy hash -> seq it was installed at
}

// Hold is the journal entry that stopped signing: a suspension or the
// refusal that reached LockAfterRefusals. A resume statement names it.
type Hold struct {
	Seq    uint64
	Hash   [32]byte
	Time   time.Time
	Reason string
	Locked bool // the refusal limit, not a suspension
}

// Installed is the policy-install entry of the policy in force.
type Installed struct {
	Seq     uint64
	Time    time.Time
	SHA256  [32]byte
	Serial  uint64
	Signers []string
}

// Journal entry data that this package writes and reads back. The CLI
// writes them with audit.Append under the audit.Kind* kinds.
type (
	// InstallRecord is the data of a policy-install entry.
	InstallRecord struct {
		SHA256   string   `json:"sha256"`
		Serial   uint64   `json:"serial"`
		Rules    []string `json:"rules"`
		Signers  []string `json:"signers"`           // admins whose signatures made the quorum
		Present  []string `json:"present,omitempty"` // first policy: who was present
		First    bool     `json:"first"`
		Previous string   `json:"previous_sha256,omitempty"`
	}
	// SuspendRecord is the data of a key-suspend entry.
	SuspendRecord struct {
		Reason string `json:"reason"`
	}
	// ResumeRecord is the data of a key-resume entry.
	ResumeRecord struct {
		Signers  []string `json:"signers"`
		HoldSeq  uint64   `json:"hold_seq"`
		HoldHash string   `json:"hold_sha256"`
	}
)

// NewState is the state of an empty journal.
func NewState() *State {
	return &State{spent: audit.NewSpentIndex(), history: map[[32]byte]uint64{}}
}

// ReadState verifies the journal read from r with the vault's journal
// public key and builds its State in the same pass; visitors see every
// entry too. A journal that fails verification is an error (a
// *audit.VerifyError naming the first bad entry): an edited or truncated
// journal must not feed a velocity limit.
func ReadState(r io.Reader, pub ed25519.PublicKey, visitors ...audit.Visitor) (*State, *audit.Report, error) {
	s := NewState()
	rep, err := audit.Verify(r, pub, append([]audit.Visitor{s}, visitors...)...)
	if err != nil {
		return nil, rep, err
	}
	return s, rep, nil
}

// Visit takes one verified journal entry, in order.
func (s *State) Visit(e audit.Entry) error {
	if err := s.spent.Visit(e); err != nil {
		return err
	}
	s.last = e.Head()
	switch e.Kind {
	case audit.KindSign:
		s.streak = 0
	case audit.KindRefusal:
		s.streak++
		if s.streak == LockAfterRefusals && s.locked == nil {
			s.locked = &Hold{Seq: e.Seq, Hash: e.Hash, Time: e.Time, Locked: true,
				Reason: fmt.Sprintf("%d refusals in a row", LockAfterRefusals)}
		}
	case audit.KindKeySuspend:
		var d SuspendRecord
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return fmt.Errorf("key-suspend entry seq %d cannot be read: %v", e.Seq, err)
		}
		s.suspended = &Hold{Seq: e.Seq, Hash: e.Hash, Time: e.Time, Reason: d.Reason}
	case audit.KindKeyResume:
		s.suspended, s.locked, s.streak = nil, nil, 0
	case audit.KindPolicyInstall:
		var d InstallRecord
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return fmt.Errorf("policy-install entry seq %d cannot be read: %v", e.Seq, err)
		}
		raw, err := hex.DecodeString(d.SHA256)
		if err != nil || len(raw) != 32 {
			return fmt.Errorf("policy-install entry seq %d has no sha256 of 64 hex digits", e.Seq)
		}
		var sum [32]byte
		copy(sum[:], raw)
		s.installed = &Installed{Seq: e.Seq, Time: e.Time, SHA256: sum, Serial: d.Serial, Signers: d.Signers}
		if _, seen := s.history[sum]; !seen {
			s.history[sum] = e.Seq
		}
		s.streak = 0
	}
	return nil
}

// AddSigning indexes a signing just journaled (when the State is kept
// across signings in one process). The journal entry itself is visited
// the same way by ReadState.
func (s *State) AddSigning(t time.Time, amount btcutil.Amount) error {
	if err := s.spent.Add(t, amount); err != nil {
		return err
	}
	s.streak = 0
	return nil
}

// SpentIn is what left the vault in (at-window, at].
func (s *State) SpentIn(window time.Duration, at time.Time) btcutil.Amount {
	return s.spent.SpentIn(window, at)
}

// Signings is how many signings the journal holds.
func (s *State) Signings() int { return s.spent.Len() }

// Last is the journal's last entry (zero for an empty journal).
func (s *State) Last() audit.Head { return s.last }

// Suspended returns the suspension in force, or nil.
func (s *State) Suspended() *Hold { return s.suspended }

// Locked returns the refusal that locked the signer, or nil.
func (s *State) Locked() *Hold { return s.locked }

// Streak is how many refusals in a row end the journal.
func (s *State) Streak() int { return s.streak }

// Hold is what a resume statement must name: the suspension if any, else
// the lock; nil when signing is not held.
func (s *State) Hold() *Hold {
	if s.suspended != nil {
		return s.suspended
	}
	return s.locked
}

// Installed is the last policy-install entry, or nil when no policy was
// ever installed.
func (s *State) Installed() *Installed { return s.installed }

// InstalledBefore reports whether a policy with this hash was installed,
// and at which seq first.
func (s *State) InstalledBefore(sum [32]byte) (uint64, bool) {
	seq, ok := s.history[sum]
	return seq, ok
}

// Check returns the reasons the journal alone refuses any signing at
// clock: the clock reads earlier than the last entry, the key is
// suspended, or signing is locked after LockAfterRefusals refusals. The
// signer checks them with or without a policy.
func (s *State) Check(clock time.Time) []Reason {
	var out []Reason
	add := func(c Code, format string, args ...any) {
		out = append(out, Reason{Code: c, Output: -1, Text: fmt.Sprintf(format, args...)})
	}
	if last := s.last; last.Seq > 0 && clock.Before(last.Time) {
		add(CodeClockBehind, "the clock reads %s, earlier than the journal's last entry (seq %d at %s): set the clock right before signing",
			stamp(clock), last.Seq, stamp(last.Time))
	}
	if h := s.suspended; h != nil {
		add(CodeSuspended, "the key is suspended since %s (journal seq %d): %s", stamp(h.Time), h.Seq, OneLine(h.Reason, 200))
	}
	if h := s.locked; h != nil {
		add(CodeLocked, "signing is locked since %s after %d refusals in a row (journal seq %d); an admin quorum must sign a resume",
			stamp(h.Time), LockAfterRefusals, h.Seq)
	}
	return out
}

// ResumeStatement is the text admins sign (namespace coffer-policy) to
// lift hold h. It names the journal entry that began the hold by seq and
// line hash, so a statement signed for one hold cannot lift another.
func ResumeStatement(h *Hold) []byte {
	var b strings.Builder
	b.WriteString("coffer key resume v1\n")
	fmt.Fprintf(&b, "journal entry: seq %d sha256 %x\n", h.Seq, h.Hash)
	fmt.Fprintf(&b, "held since: %s\n", h.Time.UTC().Format("2006-01-02T15:04:05.000Z"))
	fmt.Fprintf(&b, "why: %s\n", OneLine(h.Reason, 200))
	return []byte(b.String())
}

// OneLine makes free text (a reason) safe for one line of a terminal or a
// signed statement: control characters become spaces, runs of space one,
// and it is cut to max characters.
func OneLine(s string, max int) string {
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.TrimSpace(s) {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if n >= max {
			b.WriteString("…")
			break
		}
		if space && n > 0 {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}
