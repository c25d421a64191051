package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/coffer-custody/coffer/policy/approval"
)

// ErrQuorum is wrapped by every QuorumError.
var ErrQuorum = errors.New("admin quorum not met")

// SignatureFile is an admin's signature with the name of the file it came
// from, for messages.
type SignatureFile struct {
	Name string
	Sig  *approval.Signature
}

// QuorumError says why admin signatures do not make a quorum.
type QuorumError struct {
	Required int
	Signers  []string // admins whose signatures verified
	Problems []string // one sentence per signature that did not count
}

func (e *QuorumError) Error() string {
	got := "no valid admin signature was given"
	switch n := len(e.Signers); {
	case n == 1:
		got = fmt.Sprintf("only 1 valid admin signature (%s) was given", e.Signers[0])
	case n > 1:
		got = fmt.Sprintf("only %d valid admin signatures (%s) were given", n, strings.Join(e.Signers, ", "))
	}
	msg := fmt.Sprintf("%d of the policy's admins must sign, but %s", e.Required, got)
	for _, p := range e.Problems {
		msg += "; " + p
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrQuorum) true.
func (e *QuorumError) Unwrap() error { return ErrQuorum }

// CheckQuorum checks that at least Admins.Required of p's admins signed msg
// (a new policy file's exact bytes, or a resume statement) in the
// namespace coffer-policy. It returns the admins who signed, in the
// policy's order. A signature by someone who is not an admin, a signature
// that does not verify and a second signature by the same admin are named
// in the error when the quorum is not met, and never counted.
func (p *Policy) CheckQuorum(msg []byte, sigs []SignatureFile) ([]string, error) {
	signed := map[string]string{} // admin id -> file
	var problems []string
	for _, s := range sigs {
		key := s.Sig.PublicKey()
		var admin *Person
		for i := range p.Admins.Keys {
			if p.Admins.Keys[i].Key.Equal(key) {
				admin = &p.Admins.Keys[i]
				break
			}
		}
		if admin == nil {
			problems = append(problems, fmt.Sprintf("%s is signed by key %s, which is not an admin's", s.Name, key.Fingerprint()))
			continue
		}
		if err := s.Sig.Verify(admin.Key, approval.NamespacePolicy, msg); err != nil {
			problems = append(problems, fmt.Sprintf("%s by %s: %v", s.Name, admin.ID, err))
			continue
		}
		if first, dup := signed[admin.ID]; dup {
			problems = append(problems, fmt.Sprintf("%s is a second signature by %s (after %s); counted once", s.Name, admin.ID, first))
			continue
		}
		signed[admin.ID] = s.Name
	}
	var signers []string
	for _, a := range p.Admins.Keys {
		if _, ok := signed[a.ID]; ok {
			signers = append(signers, a.ID)
		}
	}
	if len(signers) < p.Admins.Required {
		return signers, &QuorumError{Required: p.Admins.Required, Signers: signers, Problems: problems}
	}
	return signers, nil
}
