package slip39

import (
	"fmt"
	"sort"
	"strings"
)

// Recovery collects shares one at a time, in any order, until the
// thresholds are met, and then yields the master secret. Each Add checks
// the share against the ones before it, so a share of another set, a
// repeated share or a contradicting share is refused when it is given, and
// Status tells which groups still need how many shares. Secret never
// returns a secret before every threshold is met.
//
// The zero value is ready to use. A Recovery is not safe for concurrent
// use. Call Wipe when done: it holds share values.
type Recovery struct {
	started bool
	first   Share // parameters common to the set (value unused)
	length  int   // share value length in bytes
	groups  map[int]*groupShares
	_       [0]func()
}

type groupShares struct {
	threshold int
	members   map[int]*Share // by member index
}

// Status is what a Recovery has and still needs. It carries no secret.
type Status struct {
	Started           bool // at least one share was accepted
	Identifier        uint16
	Extendable        bool
	IterationExponent int
	GroupThreshold    int
	GroupCount        int
	Groups            []GroupStatus // one per group, by index; empty before the first share
}

// GroupStatus is the progress of one group.
type GroupStatus struct {
	Index     int // 0-based group index
	Threshold int // member threshold, 0 while no share of the group is known
	Have      int // shares accepted
}

// Complete reports whether the group has its threshold of shares.
func (g GroupStatus) Complete() bool { return g.Threshold > 0 && g.Have >= g.Threshold }

// Need is how many more shares the group needs, or -1 while its threshold
// is unknown (no share of it yet).
func (g GroupStatus) Need() int {
	if g.Threshold == 0 {
		return -1
	}
	return max(0, g.Threshold-g.Have)
}

// GroupsComplete is the number of groups with their threshold of shares.
func (s Status) GroupsComplete() int {
	n := 0
	for _, g := range s.Groups {
		if g.Complete() {
			n++
		}
	}
	return n
}

// GroupsNeeded is how many more groups must be completed.
func (s Status) GroupsNeeded() int {
	if !s.Started {
		return 1
	}
	return max(0, s.GroupThreshold-s.GroupsComplete())
}

// Complete reports whether the thresholds are met.
func (s Status) Complete() bool { return s.Started && s.GroupsNeeded() == 0 }

// String tells a person what is still needed, e.g.
// "1 more group needed (2 of 3 groups): group 1 complete (2 of 2); group 2
// needs 1 more share (1 of 2); group 3 has no share yet".
func (s Status) String() string {
	if !s.Started {
		return "no share given yet"
	}
	if s.GroupCount == 1 {
		g := s.Groups[0]
		if g.Complete() {
			return fmt.Sprintf("complete (%d of %d shares)", g.Have, g.Threshold)
		}
		n := g.Need()
		return fmt.Sprintf("%d more %s needed (%d of %d given)", n, plural(n, "share", "shares"), g.Have, g.Threshold)
	}
	var b strings.Builder
	if n := s.GroupsNeeded(); n == 0 {
		fmt.Fprintf(&b, "complete (%d of %d groups)", s.GroupThreshold, s.GroupCount)
		return b.String()
	} else {
		fmt.Fprintf(&b, "%d more %s needed (%d of %d groups)", n, plural(n, "group", "groups"), s.GroupThreshold, s.GroupCount)
	}
	parts := make([]string, 0, len(s.Groups))
	for _, g := range s.Groups {
		switch {
		case g.Threshold == 0:
			parts = append(parts, fmt.Sprintf("group %d has no share yet", g.Index+1))
		case g.Complete():
			parts = append(parts, fmt.Sprintf("group %d complete (%d of %d)", g.Index+1, g.Have, g.Threshold))
		default:
			n := g.Need()
			parts = append(parts, fmt.Sprintf("group %d needs %d more %s (%d of %d)", g.Index+1, n, plural(n, "share", "shares"), g.Have, g.Threshold))
		}
	}
	b.WriteString(": ")
	b.WriteString(joinClauses(parts))
	return b.String()
}

// Add parses a share mnemonic and adds it. See AddShare for the checks.
func (r *Recovery) Add(mnemonic []byte) error {
	s, err := ParseShare(mnemonic)
	if err != nil {
		return err
	}
	if err := r.AddShare(s); err != nil {
		s.Wipe()
		return err
	}
	return nil
}

// AddShare adds a parsed share; the Recovery takes it over (Wipe wipes it).
// It fails with an *OtherSetError for another identifier, a
// *MismatchError for parameters that contradict earlier shares, a
// *RepeatedShareError for a share given twice and a *NotNeededError for a
// share of a group, or a set, that is already complete. A refused share
// leaves the Recovery as it was.
func (r *Recovery) AddShare(s *Share) error {
	if err := s.check(); err != nil {
		return err
	}
	if !r.started {
		r.started = true
		r.first = Share{
			Identifier: s.Identifier, Extendable: s.Extendable, IterationExponent: s.IterationExponent,
			GroupThreshold: s.GroupThreshold, GroupCount: s.GroupCount,
		}
		r.length = len(s.value)
		r.groups = make(map[int]*groupShares)
	} else if err := r.compatible(s); err != nil {
		return err
	}
	g := r.groups[s.GroupIndex]
	if g != nil {
		if g.threshold != s.MemberThreshold {
			return &MismatchError{Field: "member threshold", Group: s.GroupIndex + 1, Want: g.threshold, Got: s.MemberThreshold}
		}
		if prev := g.members[s.MemberIndex]; prev != nil {
			if prev.sameValue(s) {
				return &RepeatedShareError{Group: s.GroupIndex + 1, Member: s.MemberIndex + 1}
			}
			return &MismatchError{Field: "a different value for member", Group: s.GroupIndex + 1, Want: s.MemberIndex + 1, Got: s.MemberIndex + 1}
		}
		if len(g.members) >= g.threshold {
			return &NotNeededError{Group: s.GroupIndex + 1}
		}
	}
	if r.Status().Complete() {
		return &NotNeededError{}
	}
	if g == nil {
		g = &groupShares{threshold: s.MemberThreshold, members: make(map[int]*Share)}
		r.groups[s.GroupIndex] = g
	}
	g.members[s.MemberIndex] = s
	return nil
}

func (r *Recovery) compatible(s *Share) error {
	f := &r.first
	if s.Identifier != f.Identifier {
		return &OtherSetError{Want: f.Identifier, Got: s.Identifier}
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	switch {
	case s.Extendable != f.Extendable:
		return &MismatchError{Field: "extendable flag", Want: b2i(f.Extendable), Got: b2i(s.Extendable)}
	case s.IterationExponent != f.IterationExponent:
		return &MismatchError{Field: "iteration exponent", Want: f.IterationExponent, Got: s.IterationExponent}
	case s.GroupThreshold != f.GroupThreshold:
		return &MismatchError{Field: "group threshold", Want: f.GroupThreshold, Got: s.GroupThreshold}
	case s.GroupCount != f.GroupCount:
		return &MismatchError{Field: "group count", Want: f.GroupCount, Got: s.GroupCount}
	case len(s.value) != r.length:
		return &MismatchError{Field: "secret length in bits", Want: 8 * r.length, Got: 8 * len(s.value)}
	}
	return nil
}

// Status reports what the Recovery has and still needs.
func (r *Recovery) Status() Status {
	if !r.started {
		return Status{}
	}
	st := Status{
		Started:           true,
		Identifier:        r.first.Identifier,
		Extendable:        r.first.Extendable,
		IterationExponent: r.first.IterationExponent,
		GroupThreshold:    r.first.GroupThreshold,
		GroupCount:        r.first.GroupCount,
		Groups:            make([]GroupStatus, r.first.GroupCount),
	}
	for i := range st.Groups {
		st.Groups[i].Index = i
		if g := r.groups[i]; g != nil {
			st.Groups[i].Threshold = g.threshold
			st.Groups[i].Have = len(g.members)
		}
	}
	return st
}

// Secret recombines the shares and decrypts the master secret with
// passphrase (printable ASCII, may be empty). It fails with an
// *InsufficientError, and yields nothing, until the thresholds are met,
// and with a *DigestError when the shares do not recombine. Every
// passphrase decrypts to some secret: a wrong one is not detected. The
// caller wipes the result.
func (r *Recovery) Secret(passphrase []byte) ([]byte, error) {
	if err := checkPassphrase(passphrase); err != nil {
		return nil, err
	}
	st := r.Status()
	if !st.Complete() {
		return nil, &InsufficientError{Status: st}
	}
	// The complete groups, in index order; AddShare keeps their number at
	// the group threshold.
	idx := make([]int, 0, len(r.groups))
	for i, g := range r.groups {
		if len(g.members) >= g.threshold {
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	idx = idx[:st.GroupThreshold]

	groupPoints := make([]point, 0, len(idx))
	defer wipePoints(groupPoints)
	for _, gi := range idx {
		g := r.groups[gi]
		pts := make([]point, 0, len(g.members))
		for mi, s := range g.members {
			pts = append(pts, point{x: byte(mi), y: s.value})
		}
		sort.Slice(pts, func(a, b int) bool { return pts[a].x < pts[b].x })
		v, ok := recoverSecret(g.threshold, pts[:g.threshold])
		if !ok {
			return nil, &DigestError{Group: gi + 1}
		}
		groupPoints = append(groupPoints, point{x: byte(gi), y: v})
	}
	ems, ok := recoverSecret(st.GroupThreshold, groupPoints)
	if !ok {
		return nil, &DigestError{}
	}
	defer wipe(ems)
	return decrypt(ems, passphrase, r.first.IterationExponent, r.first.Identifier, r.first.Extendable), nil
}

// Wipe zeroes every share held and resets the Recovery to its zero value.
func (r *Recovery) Wipe() {
	for _, g := range r.groups {
		for _, s := range g.members {
			s.Wipe()
		}
	}
	*r = Recovery{}
}

// String describes the progress without any share value.
func (r *Recovery) String() string { return "slip39 recovery: " + r.Status().String() }

// Format prints String for every verb.
func (r *Recovery) Format(f fmt.State, _ rune) { fmt.Fprint(f, r.String()) }
