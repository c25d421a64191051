package policy

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/coffer-custody/coffer/internal/textsafe"
)

// ParseError is a mistake in a policy file, with the line it is on.
type ParseError struct {
	Line int    // 1-based; 0 when the whole file is at fault
	Msg  string // one sentence, lower case
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

func errAt(n *yaml.Node, format string, args ...any) *ParseError {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &ParseError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// fields is a YAML mapping read strictly: known keys only, each once.
type fields struct {
	node *yaml.Node
	m    map[string]*yaml.Node
}

// mapping reads n as a mapping whose keys must be among known; where names
// the mapping in messages ("the policy", `rule "petty"`).
func mapping(n *yaml.Node, where string, known ...string) (*fields, error) {
	if err := plain(n, where); err != nil {
		return nil, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n, "%s is not a mapping of fields (key: value)", where)
	}
	f := &fields{node: n, m: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := plain(k, where); err != nil {
			return nil, err
		}
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, errAt(k, "%s has a key that is not a name", where)
		}
		if !contains(known, k.Value) {
			msg := fmt.Sprintf("%s has the unknown field %q", where, clip(k.Value))
			if s := closest(k.Value, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known fields: " + strings.Join(known, ", ") + ")"
			}
			return nil, errAt(k, "%s", msg)
		}
		if prev, dup := f.m[k.Value]; dup {
			return nil, errAt(k, "%s sets %q twice (first on line %d)", where, k.Value, prev.Line)
		}
		if err := plain(v, where+" "+k.Value); err != nil {
			return nil, err
		}
		f.m[k.Value] = v
	}
	return f, nil
}

func (f *fields) get(name string) *yaml.Node { return f.m[name] }

// plain refuses the YAML features a policy has no use for and that make
// one text mean two things to two readers: anchors, aliases, merge keys
// and explicit tags.
func plain(n *yaml.Node, where string) error {
	if n.Kind == yaml.AliasNode {
		return errAt(n, "%s uses an alias (*%s); write the value out", where, clip(n.Value))
	}
	if n.Anchor != "" {
		return errAt(n, "%s sets an anchor (&%s); anchors are not allowed in a policy", where, clip(n.Anchor))
	}
	switch n.ShortTag() {
	case "!!str", "!!int", "!!bool", "!!float", "!!null", "!!map", "!!seq":
	default:
		return errAt(n, "%s has the tag %s; tags are not allowed in a policy", where, clip(n.ShortTag()))
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return errAt(n, "%s has an explicit tag; tags are not allowed in a policy", where)
	}
	return nil
}

// scalar reads n as one value (string, number or bool) and returns its text.
func scalar(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", errAt(n, "%s is not a single value", what)
	}
	return n.Value, nil
}

// str reads n as a non-empty text value.
func str(n *yaml.Node, what string) (string, error) {
	s, err := scalar(n, what)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", errAt(n, "%s is empty", what)
	}
	return s, nil
}

// boolean reads true or false.
func boolean(n *yaml.Node, what string) (bool, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		return false, errAt(n, "%s is not true or false", what)
	}
	switch strings.ToLower(n.Value) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errAt(n, "%s is not true or false", what)
}

// integer reads a whole number in [min, max].
func integer(n *yaml.Node, what string, min, max int64) (int64, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, errAt(n, "%s is not a whole number", what)
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, errAt(n, "%s %q is not a whole number", what, clip(n.Value))
	}
	if v < min || v > max {
		if v < 0 && min >= 0 {
			return 0, errAt(n, "%s %d is negative", what, v)
		}
		return 0, errAt(n, "%s %d is not between %d and %d", what, v, min, max)
	}
	return v, nil
}

// sequence reads n as a list.
func sequence(n *yaml.Node, what string) ([]*yaml.Node, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "%s is not a list", what)
	}
	for _, c := range n.Content {
		if err := plain(c, what); err != nil {
			return nil, err
		}
	}
	return n.Content, nil
}

// stringList reads n as a list of non-empty texts (a single value is a list
// of one).
func stringList(n *yaml.Node, what string) ([]string, []int, error) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		var err error
		if items, err = sequence(n, what); err != nil {
			return nil, nil, err
		}
		if len(items) == 0 {
			return nil, nil, errAt(n, "%s is an empty list", what)
		}
	}
	out := make([]string, 0, len(items))
	lines := make([]int, 0, len(items))
	for _, it := range items {
		s, err := str(it, what+" entry")
		if err != nil {
			return nil, nil, err
		}
		out = append(out, strings.TrimSpace(s))
		lines = append(lines, it.Line)
	}
	return out, lines, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// closest returns the known name nearest to s when it is a likely
// misspelling of it (edit distance at most 2, or 3 for long names).
func closest(s string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
		d := editDistance(strings.ToLower(s), k)
		if d < bestD {
			best, bestD = k, d
		}
	}
	limit := 2
	if len(s) > 10 {
		limit = 3
	}
	if bestD <= limit {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	// Optimal string alignment distance: insertions, deletions,
	// substitutions and swaps of two neighbouring letters.
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// clip bounds text from the file before it goes into a message.
func clip(s string) string { return textsafe.Clip(s, 80) }
