package slip39

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
)

// Group is one group of a scheme: Threshold of its Count member shares
// restore the group's share.
type Group struct {
	Threshold, Count int
}

// Split encrypts masterSecret with passphrase and splits it into shares:
// any groupThreshold of the groups, each with its own member threshold,
// restore it. The result holds the shares of group i (0-based) at [i], in
// member order. iterationExponent sets the PBKDF2 work (10000·2^e
// iterations, 0..15); new sets should set extendable (SLIP-39 says SHOULD).
// rng supplies the identifier and the random polynomial coefficients; nil
// means crypto/rand.
//
// masterSecret must be 16 to 64 bytes, an even number; passphrase printable
// ASCII (may be empty). Neither is retained. Wipe every share when done.
func Split(masterSecret, passphrase []byte, groupThreshold int, groups []Group, iterationExponent int, extendable bool, rng io.Reader) ([][]*Share, error) {
	if err := (Scheme{GroupThreshold: groupThreshold, Groups: groups}).Validate(); err != nil {
		return nil, err
	}
	switch n := len(masterSecret); {
	case n < minSecretBytes || n > maxSecretBytes:
		return nil, &SchemeError{Reason: fmt.Sprintf("master secret of %d bits: SLIP-39 takes 128 to 512 bits", 8*n)}
	case n%2 != 0:
		return nil, &SchemeError{Reason: fmt.Sprintf("master secret of %d bytes: SLIP-39 needs an even number of bytes", n)}
	}
	if iterationExponent < 0 || iterationExponent > maxIterationExp {
		return nil, &SchemeError{Reason: fmt.Sprintf("iteration exponent %d is outside 0..15", iterationExponent)}
	}
	if err := checkPassphrase(passphrase); err != nil {
		return nil, err
	}
	if rng == nil {
		rng = rand.Reader
	}

	var idb [2]byte
	if _, err := io.ReadFull(rng, idb[:]); err != nil {
		return nil, fmt.Errorf("reading randomness: %w", err)
	}
	id := binary.BigEndian.Uint16(idb[:]) & (1<<idBits - 1)

	ems := encrypt(masterSecret, passphrase, iterationExponent, id, extendable)
	defer wipe(ems)
	groupShares, err := splitSecret(groupThreshold, len(groups), ems, rng)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, g := range groupShares {
			wipe(g)
		}
	}()

	out := make([][]*Share, len(groups))
	for gi, g := range groups {
		members, err := splitSecret(g.Threshold, g.Count, groupShares[gi], rng)
		if err != nil {
			WipeAll(out)
			return nil, err
		}
		out[gi] = make([]*Share, g.Count)
		for mi, v := range members {
			out[gi][mi] = &Share{
				Identifier:        id,
				Extendable:        extendable,
				IterationExponent: iterationExponent,
				GroupIndex:        gi,
				GroupThreshold:    groupThreshold,
				GroupCount:        len(groups),
				MemberIndex:       mi,
				MemberThreshold:   g.Threshold,
				value:             v,
			}
		}
	}
	return out, nil
}

// WipeAll wipes every share of a set returned by Split.
func WipeAll(set [][]*Share) {
	for _, g := range set {
		for _, s := range g {
			s.Wipe()
		}
	}
}

func checkPassphrase(p []byte) error {
	for _, c := range p {
		if c < 32 || c > 126 {
			return ErrPassphrase
		}
	}
	return nil
}
