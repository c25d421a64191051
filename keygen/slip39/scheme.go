package slip39

import (
	"fmt"
	"strconv"
	"strings"
)

// Scheme is a two-level sharing scheme: GroupThreshold of the Groups are
// needed. A plain M-of-N scheme is one group: Scheme{1, []Group{{M, N}}}.
type Scheme struct {
	GroupThreshold int
	Groups         []Group
}

// String writes a group as "2-of-3".
func (g Group) String() string { return fmt.Sprintf("%d-of-%d", g.Threshold, g.Count) }

// String writes the scheme in the form ParseGroups reads:
// "2 of (2-of-3, 1-of-1, 3-of-5)", or "2-of-3" for a single group.
func (s Scheme) String() string {
	if s.GroupThreshold == 1 && len(s.Groups) == 1 {
		return s.Groups[0].String()
	}
	parts := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		parts[i] = g.String()
	}
	return fmt.Sprintf("%d of (%s)", s.GroupThreshold, strings.Join(parts, ", "))
}

// Shares is the total number of member shares of the scheme.
func (s Scheme) Shares() int {
	n := 0
	for _, g := range s.Groups {
		n += g.Count
	}
	return n
}

// Validate checks the scheme against SLIP-39's limits: 1 to 16 groups, a
// group threshold of at most the number of groups, 1 ≤ threshold ≤ count
// ≤ 16 in each group, and no 1-of-N group with N > 1 (such a group gives
// every member the whole group share; use 1-of-1 and copy that share).
func (s Scheme) Validate() error {
	if err := s.validate(); err != nil {
		return &SchemeError{Reason: err.Error()}
	}
	return nil
}

func (s Scheme) validate() error {
	g := len(s.Groups)
	switch {
	case g == 0:
		return fmt.Errorf("no groups")
	case g > maxShares:
		return fmt.Errorf("%d groups, SLIP-39 allows at most 16", g)
	case s.GroupThreshold < 1 || s.GroupThreshold > g:
		return fmt.Errorf("group threshold %d is outside 1..%d (the number of groups)", s.GroupThreshold, g)
	}
	for i, gr := range s.Groups {
		if err := gr.validate(); err != nil {
			if g == 1 {
				return err
			}
			return fmt.Errorf("group %d: %w", i+1, err)
		}
	}
	return nil
}

func (g Group) validate() error {
	switch {
	case g.Count < 1 || g.Count > maxShares:
		return fmt.Errorf("%d shares, SLIP-39 allows 1 to 16", g.Count)
	case g.Threshold < 1 || g.Threshold > g.Count:
		return fmt.Errorf("threshold %d is outside 1..%d (the number of shares)", g.Threshold, g.Count)
	case g.Threshold == 1 && g.Count > 1:
		return fmt.Errorf("1-of-%d gives each holder the whole secret; use 1-of-1 and copy that share", g.Count)
	}
	return nil
}

// ParseScheme reads a single-level scheme such as "2-of-3" (also "2 of 3",
// any letter case) for the CLI's --shares flag.
func ParseScheme(text string) (Group, error) {
	g, err := parseGroup(text)
	if err == nil {
		err = g.validate()
	}
	if err != nil {
		return Group{}, &SchemeError{Input: text, Reason: err.Error()}
	}
	return g, nil
}

// ParseGroups reads a two-level scheme such as "2 of (2-of-3, 1-of-1, 3-of-5)"
// for the CLI's --groups flag. A single-level form such as "2-of-3" is read
// as one group.
func ParseGroups(text string) (Scheme, error) {
	s, err := parseGroups(text)
	if err == nil {
		err = s.validate()
	}
	if err != nil {
		return Scheme{}, &SchemeError{Input: text, Reason: err.Error()}
	}
	return s, nil
}

const maxSchemeText = 512

func parseGroups(text string) (Scheme, error) {
	if len(text) > maxSchemeText {
		return Scheme{}, fmt.Errorf("longer than %d characters", maxSchemeText)
	}
	t := strings.TrimSpace(text)
	open := strings.IndexByte(t, '(')
	if open < 0 {
		g, err := parseGroup(t)
		if err != nil {
			return Scheme{}, err
		}
		return Scheme{GroupThreshold: 1, Groups: []Group{g}}, nil
	}
	if !strings.HasSuffix(t, ")") {
		return Scheme{}, fmt.Errorf("missing ) at the end")
	}
	form := fmt.Errorf("expected the form \"2 of (2-of-3, 1-of-1, 3-of-5)\"")
	head := strings.ToLower(strings.TrimSpace(t[:open]))
	head = strings.TrimSpace(strings.TrimSuffix(head, "-"))
	if !strings.HasSuffix(head, "of") {
		return Scheme{}, fmt.Errorf("%w: missing \"of\" before (", form)
	}
	head = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(head, "of")), "-"))
	gt, err := parseNumber(head, "group threshold")
	if err != nil {
		return Scheme{}, fmt.Errorf("%w: %w", form, err)
	}
	body := t[open+1 : len(t)-1]
	if strings.ContainsAny(body, "()") {
		return Scheme{}, fmt.Errorf("only two levels: groups of shares, no nested groups")
	}
	var groups []Group
	for i, part := range strings.Split(body, ",") {
		g, err := parseGroup(part)
		if err != nil {
			return Scheme{}, fmt.Errorf("group %d %q: %w", i+1, strings.TrimSpace(part), err)
		}
		groups = append(groups, g)
	}
	return Scheme{GroupThreshold: gt, Groups: groups}, nil
}

// parseGroup reads "M-of-N" or "M of N".
func parseGroup(text string) (Group, error) {
	t := strings.ToLower(strings.TrimSpace(text))
	i := strings.Index(t, "of")
	if i < 0 {
		return Group{}, fmt.Errorf("expected M-of-N, e.g. 2-of-3")
	}
	left := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t[:i]), "-"))
	right := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t[i+2:]), "-"))
	m, err := parseNumber(left, "threshold")
	if err != nil {
		return Group{}, err
	}
	n, err := parseNumber(right, "share count")
	if err != nil {
		return Group{}, err
	}
	return Group{Threshold: m, Count: n}, nil
}

func parseNumber(s, what string) (int, error) {
	if s == "" || len(s) > 3 {
		return 0, fmt.Errorf("%s %q is not a number from 1 to 16", what, s)
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%s %q is not a number from 1 to 16", what, s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a number from 1 to 16", what, s)
	}
	return n, nil
}
