package slip39

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, for callers that branch on the kind of failure. The
// typed errors below carry the detail and unwrap to one of these.
var (
	// ErrUnknownWord: a word of a share is not in the SLIP-39 list (*WordError).
	ErrUnknownWord = errors.New("word is not in the SLIP-39 word list")
	// ErrChecksum: the share's RS1024 checksum does not match; a word is
	// mistyped, missing or swapped.
	ErrChecksum = errors.New("share checksum does not match")
	// ErrFormat: the share is malformed (word count, padding, field values).
	ErrFormat = errors.New("malformed SLIP-39 share")
	// ErrOtherSet: the share has another identifier than the shares given
	// before it, so it belongs to another set of shares (*OtherSetError).
	ErrOtherSet = errors.New("share belongs to another set")
	// ErrRepeated: the same share was given twice (*RepeatedShareError).
	ErrRepeated = errors.New("share was already given")
	// ErrInconsistent: the share has the same identifier but parameters that
	// contradict the shares given before it (*MismatchError).
	ErrInconsistent = errors.New("share parameters do not match the other shares")
	// ErrNotNeeded: the share's group, or the whole set, already has enough
	// shares (*NotNeededError).
	ErrNotNeeded = errors.New("share is not needed")
	// ErrInsufficient: fewer shares than the thresholds require; no secret is
	// produced (*InsufficientError).
	ErrInsufficient = errors.New("not enough shares")
	// ErrDigest: the shares have valid checksums and matching parameters but
	// do not recombine: one of them is damaged or forged (*DigestError).
	ErrDigest = errors.New("shares do not recombine to a valid secret")
	// ErrPassphrase: the passphrase has a byte outside printable ASCII.
	ErrPassphrase = errors.New("passphrase must be printable ASCII (code points 32 to 126)")
	// ErrScheme: the sharing scheme or Split's arguments are invalid (*SchemeError).
	ErrScheme = errors.New("invalid sharing scheme")
)

// WordError reports a word that is not in the SLIP-39 list. Its message
// names the position only: the word and the suggestions are fragments of
// a share, so they are fields for an interactive screen, never for a log.
type WordError struct {
	Position    int      // 1-based position of the word in the share
	Suggestions []string // close words of the list, best first; may be empty
}

func (e *WordError) Error() string {
	if len(e.Suggestions) == 0 {
		return fmt.Sprintf("word %d is not in the SLIP-39 word list", e.Position)
	}
	return fmt.Sprintf("word %d is not in the SLIP-39 word list (%d close words can be suggested)", e.Position, len(e.Suggestions))
}

func (e *WordError) Unwrap() error { return ErrUnknownWord }

// FormatError reports a malformed share.
type FormatError struct {
	Reason string
}

func (e *FormatError) Error() string { return "malformed SLIP-39 share: " + e.Reason }
func (e *FormatError) Unwrap() error { return ErrFormat }

// OtherSetError reports a share whose identifier differs from the one of
// the shares given before it. Identifiers are not secret.
type OtherSetError struct {
	Want, Got uint16
}

func (e *OtherSetError) Error() string {
	return fmt.Sprintf("share has identifier %d, not %d like the shares already given: it belongs to another set of shares", e.Got, e.Want)
}
func (e *OtherSetError) Unwrap() error { return ErrOtherSet }

// RepeatedShareError reports a share given twice.
type RepeatedShareError struct {
	Group, Member int // 1-based
}

func (e *RepeatedShareError) Error() string {
	return fmt.Sprintf("share %d of group %d was already given", e.Member, e.Group)
}
func (e *RepeatedShareError) Unwrap() error { return ErrRepeated }

// MismatchError reports a parameter of a share that contradicts the shares
// given before it.
type MismatchError struct {
	Field     string // e.g. "group threshold"
	Group     int    // 1-based group the field belongs to, 0 for set-wide fields
	Want, Got int
}

func (e *MismatchError) Error() string {
	where := ""
	if e.Group > 0 {
		where = fmt.Sprintf(" of group %d", e.Group)
	}
	return fmt.Sprintf("share has %s%s %d, the shares already given have %d", e.Field, where, e.Got, e.Want)
}
func (e *MismatchError) Unwrap() error { return ErrInconsistent }

// NotNeededError reports a share of a group (or a set) that is already
// complete, or, from Combine, shares of a group beyond the group threshold.
type NotNeededError struct {
	Group int // 1-based; 0 when the whole set is complete
	// Incomplete is set by Combine for a group that has some shares but is
	// not needed because the complete groups meet the group threshold.
	Incomplete bool
}

func (e *NotNeededError) Error() string {
	switch {
	case e.Group == 0:
		return "share is not needed: enough groups are already complete"
	case e.Incomplete:
		return fmt.Sprintf("the shares of group %d are not needed: the complete groups already meet the group threshold", e.Group)
	}
	return fmt.Sprintf("share is not needed: group %d already has enough shares", e.Group)
}
func (e *NotNeededError) Unwrap() error { return ErrNotNeeded }

// InsufficientError reports that the thresholds are not met, with what is
// still missing.
type InsufficientError struct {
	Status Status
}

func (e *InsufficientError) Error() string {
	return "not enough shares: " + e.Status.String()
}
func (e *InsufficientError) Unwrap() error { return ErrInsufficient }

// DigestError reports shares that passed every check but do not recombine.
type DigestError struct {
	Group int // 1-based group whose member shares failed; 0 for the group shares
}

func (e *DigestError) Error() string {
	if e.Group == 0 {
		return "the group shares do not recombine (digest mismatch): a share is damaged or forged"
	}
	return fmt.Sprintf("the shares of group %d do not recombine (digest mismatch): a share is damaged or forged", e.Group)
}
func (e *DigestError) Unwrap() error { return ErrDigest }

// SchemeError reports an invalid sharing scheme or argument to Split.
type SchemeError struct {
	Input  string // the scheme text as given, when parsing; never a secret
	Reason string
}

func (e *SchemeError) Error() string {
	if e.Input != "" {
		return fmt.Sprintf("scheme %q: %s", e.Input, e.Reason)
	}
	return "invalid sharing scheme: " + e.Reason
}
func (e *SchemeError) Unwrap() error { return ErrScheme }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func joinClauses(parts []string) string { return strings.Join(parts, "; ") }
