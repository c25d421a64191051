package policy

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"gopkg.in/yaml.v3"

	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/wallet"
)

// MaxFileSize bounds a policy file (a 100,000-address allowlist is about
// 6 MB).
const MaxFileSize = 32 << 20

// DescriptorLookahead is how many addresses of each branch of a ranged
// descriptor in an allowlist are derived and allowed (indexes 0 to 999).
const DescriptorLookahead = 1000

// Version is the policy file format version this package reads.
const Version = 1

// Policy is a parsed, checked spending policy for one network.
type Policy struct {
	Version int
	Serial  uint64         // optional; each replacement must not go back
	Network wallet.Network // the vault's
	Admins  Admins
	Groups  []*Group
	Rules   []*Rule

	raw    []byte
	sum    [32]byte
	people map[string]Person // every id in admins and groups
}

// Person is an id with its public key, as a policy lists admins and
// approvers.
type Person struct {
	ID   string
	Key  approval.PublicKey
	Line int
}

// Admins may replace the policy and lift a suspension: Required of Keys
// must sign.
type Admins struct {
	Required int
	Keys     []Person
}

// Group is a named set of approvers.
type Group struct {
	Name    string
	Members []Person
	Line    int
}

// Member returns the member with id.
func (g *Group) Member(id string) (Person, bool) {
	for _, m := range g.Members {
		if m.ID == id {
			return m, true
		}
	}
	return Person{}, false
}

// Rule is one way a transaction may be allowed. Unset limits are nil.
type Rule struct {
	Name  string
	Index int // 0-based position in the file
	Line  int

	Wallets       []string        // nil: every account and wallet of the vault
	MaxPerTx      *btcutil.Amount // what leaves the vault (non-change outputs)
	Velocity      *Velocity
	Destinations  *Destinations
	MaxFee        *btcutil.Amount
	MaxFeeRate    *float64 // sat/vB
	MaxFeePercent *float64 // of the amount sent
	Approvals     *ApprovalRule
	Sighash       []string // allowed sighash names; nil means ALL only
	ScriptTypes   []string // spend types of the vault's inputs; nil: any
	Confirm       bool     // the officer must type the amount
	WarningsOK    bool     // the review's warnings do not refuse
	TimeWindow    *TimeWindow
}

// Velocity limits what leaves the vault, under any rule, in a sliding
// window: the rule applies only while the window's total plus this
// transaction stays within Limit.
type Velocity struct {
	Limit  btcutil.Amount
	Window time.Duration
}

// ApprovalRule asks for Required approvals from members of Group.
type ApprovalRule struct {
	Group    string
	Required int
}

// Destinations is an allowlist of output scripts, or Any.
type Destinations struct {
	Any     bool
	Entries []Destination
	scripts map[string]int // scriptPubKey bytes -> entry

	// The addresses of ranged descriptors are derived once, on the first
	// decision, so that reading a policy stays fast.
	ranged []rangedEntry
	once   sync.Once
}

type rangedEntry struct {
	desc  *wallet.Descriptor // one branch
	entry int
}

// Destination is one allowlist entry: an address or a descriptor.
type Destination struct {
	Text       string // as written
	Line       int
	Descriptor bool
}

// Allows reports whether the scriptPubKey is on the list, and which entry.
func (d *Destinations) Allows(script []byte) (Destination, bool) {
	if d.Any {
		return Destination{}, true
	}
	d.once.Do(d.deriveRanged)
	i, ok := d.scripts[string(script)]
	if !ok {
		return Destination{}, false
	}
	return d.Entries[i], true
}

// SHA256 is the hash of the policy file's exact bytes.
func (p *Policy) SHA256() [32]byte { return p.sum }

// Raw returns the policy file's exact bytes.
func (p *Policy) Raw() []byte { return bytes.Clone(p.raw) }

// Person returns the admin or approver with id, from any list.
func (p *Policy) Person(id string) (Person, bool) {
	x, ok := p.people[id]
	return x, ok
}

// Group returns the group named name.
func (p *Policy) Group(name string) *Group {
	for _, g := range p.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// Parse reads a policy file for a vault on network net. It is strict: an
// unknown or misspelt field, a value of the wrong kind, an amount without
// a unit or below zero, a rule without any limit, a destination of another
// network: each is a *ParseError naming the line.
func Parse(data []byte, net wallet.Network) (*Policy, error) {
	if len(data) > MaxFileSize {
		return nil, &ParseError{Msg: fmt.Sprintf("the policy file is %d bytes, more than %d", len(data), MaxFileSize)}
	}
	if !net.Valid() {
		return nil, errors.New("no network given for the policy")
	}
	if bytes.ContainsRune(data, 0) || !utf8.Valid(data) {
		return nil, &ParseError{Msg: "the policy file is not UTF-8 text"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ParseError{Msg: "the policy file is empty"}
		}
		return nil, yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errAt(&extra, "the policy file holds more than one YAML document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &ParseError{Msg: "the policy file is not one YAML document"}
	}
	p := &Policy{Network: net, raw: bytes.Clone(data), sum: sha256.Sum256(data), people: map[string]Person{}}
	if err := p.parse(doc.Content[0]); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Policy) parse(root *yaml.Node) error {
	f, err := mapping(root, "the policy", "version", "serial", "network", "admins", "groups", "rules")
	if err != nil {
		return err
	}
	v := f.get("version")
	if v == nil {
		return errAt(root, "the policy has no version: begin it with \"version: %d\"", Version)
	}
	ver, err := integer(v, "version", 0, 1<<31)
	if err != nil {
		return err
	}
	if ver != Version {
		return errAt(v, "policy version %d is not known to this coffer (it reads version %d)", ver, Version)
	}
	p.Version = int(ver)
	if n := f.get("serial"); n != nil {
		s, err := integer(n, "serial", 0, 1<<53)
		if err != nil {
			return err
		}
		p.Serial = uint64(s)
	}
	if n := f.get("network"); n != nil {
		s, err := str(n, "network")
		if err != nil {
			return err
		}
		net, err := wallet.ParseNetwork(s)
		if err != nil {
			return errAt(n, "network %q is not mainnet, testnet, signet or regtest", clip(s))
		}
		if net != p.Network {
			return errAt(n, "the policy is for %s, but the vault is on %s", net, p.Network)
		}
	}
	a := f.get("admins")
	if a == nil {
		return errAt(root, "the policy has no admins: name who may replace it (admins: {required: N, keys: [...]})")
	}
	if err := p.parseAdmins(a); err != nil {
		return err
	}
	if g := f.get("groups"); g != nil {
		if err := p.parseGroups(g); err != nil {
			return err
		}
	}
	r := f.get("rules")
	if r == nil {
		return errAt(root, "the policy has no rules: without a rule nothing can be signed")
	}
	items, err := sequence(r, "rules")
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return errAt(r, "the policy's rules list is empty: without a rule nothing can be signed")
	}
	names := map[string]int{}
	for i, it := range items {
		rule, err := p.parseRule(it, i)
		if err != nil {
			return err
		}
		if line, dup := names[rule.Name]; dup {
			return errAt(it, "rule %q is named twice (first on line %d)", rule.Name, line)
		}
		names[rule.Name] = rule.Line
		p.Rules = append(p.Rules, rule)
	}
	return nil
}

func (p *Policy) parseAdmins(n *yaml.Node) error {
	f, err := mapping(n, "admins", "required", "keys")
	if err != nil {
		return err
	}
	k := f.get("keys")
	if k == nil {
		return errAt(n, "admins has no keys")
	}
	people, err := p.parsePeople(k, "admins")
	if err != nil {
		return err
	}
	r := f.get("required")
	if r == nil {
		return errAt(n, "admins does not say how many must sign (required: N)")
	}
	req, err := integer(r, "admins required", 1, int64(len(people)))
	if err != nil {
		return err
	}
	p.Admins = Admins{Required: int(req), Keys: people}
	return nil
}

func (p *Policy) parseGroups(n *yaml.Node) error {
	f, err := mapping(n, "groups", groupNames(n)...)
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		if err := approval.CheckID(name); err != nil {
			return errAt(n.Content[i], "group name: %v", err)
		}
		people, err := p.parsePeople(f.get(name), fmt.Sprintf("group %q", name))
		if err != nil {
			return err
		}
		p.Groups = append(p.Groups, &Group{Name: name, Members: people, Line: n.Content[i].Line})
	}
	return nil
}

// groupNames lists the keys of a mapping node, so that mapping() accepts
// any group name but still refuses repeats.
func groupNames(n *yaml.Node) []string {
	var out []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value)
		}
	}
	return out
}

// parsePeople reads a list of {id, key}. An id names one key everywhere in
// the policy, and a key belongs to one id.
func (p *Policy) parsePeople(n *yaml.Node, where string) ([]Person, error) {
	items, err := sequence(n, where)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, errAt(n, "%s lists nobody", where)
	}
	var out []Person
	seen := map[string]bool{}
	for _, it := range items {
		f, err := mapping(it, where+" entry", "id", "key")
		if err != nil {
			return nil, err
		}
		idn, keyn := f.get("id"), f.get("key")
		if idn == nil || keyn == nil {
			return nil, errAt(it, "%s entry needs both id and key", where)
		}
		id, err := str(idn, where+" id")
		if err != nil {
			return nil, err
		}
		if err := approval.CheckID(id); err != nil {
			return nil, errAt(idn, "%s: %v", where, err)
		}
		ks, err := str(keyn, fmt.Sprintf("%s key of %s", where, id))
		if err != nil {
			return nil, err
		}
		key, err := approval.ParsePublicKey(ks)
		if err != nil {
			return nil, errAt(keyn, "%s key of %s: %v", where, id, err)
		}
		if seen[id] {
			return nil, errAt(idn, "%s lists %s twice", where, id)
		}
		seen[id] = true
		if prev, ok := p.people[id]; ok && !prev.Key.Equal(key) {
			return nil, errAt(keyn, "%s: %s has another key than on line %d; one person has one key in a policy", where, id, prev.Line)
		}
		for _, other := range p.people {
			if other.ID != id && other.Key.Equal(key) {
				return nil, errAt(keyn, "%s: the key of %s is also the key of %s (line %d); each person needs a key of their own", where, id, other.ID, other.Line)
			}
		}
		person := Person{ID: id, Key: key, Line: keyn.Line}
		if _, ok := p.people[id]; !ok {
			p.people[id] = person
		}
		out = append(out, person)
	}
	return out, nil
}

var ruleFields = []string{"name", "wallets", "max_per_tx", "velocity", "destinations", "max_fee", "max_fee_rate",
	"max_fee_percent", "approvals", "sighash", "script_types", "confirm", "warnings_ok", "time_window"}

func (p *Policy) parseRule(n *yaml.Node, index int) (*Rule, error) {
	where := fmt.Sprintf("rule #%d", index+1)
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "name" && n.Content[i+1].Kind == yaml.ScalarNode {
				where = fmt.Sprintf("rule %q", clip(n.Content[i+1].Value))
			}
		}
	}
	f, err := mapping(n, where, ruleFields...)
	if err != nil {
		return nil, err
	}
	r := &Rule{Index: index, Line: n.Line}
	nn := f.get("name")
	if nn == nil {
		return nil, errAt(n, "%s has no name", where)
	}
	if r.Name, err = str(nn, where+" name"); err != nil {
		return nil, err
	}
	if err := approval.CheckID(r.Name); err != nil {
		return nil, errAt(nn, "rule name: %v", err)
	}
	amount := func(field string) (*btcutil.Amount, error) {
		v := f.get(field)
		if v == nil {
			return nil, nil
		}
		s, err := scalar(v, where+" "+field)
		if err != nil {
			return nil, err
		}
		a, err := ParseAmount(s)
		if err != nil {
			return nil, errAt(v, "%s %s: %v", where, field, err)
		}
		return &a, nil
	}
	if r.MaxPerTx, err = amount("max_per_tx"); err != nil {
		return nil, err
	}
	if r.MaxFee, err = amount("max_fee"); err != nil {
		return nil, err
	}
	if v := f.get("wallets"); v != nil {
		if r.Wallets, _, err = stringList(v, where+" wallets"); err != nil {
			return nil, err
		}
	}
	if v := f.get("velocity"); v != nil {
		vf, err := mapping(v, where+" velocity", "limit", "window")
		if err != nil {
			return nil, err
		}
		ln, wn := vf.get("limit"), vf.get("window")
		if ln == nil || wn == nil {
			return nil, errAt(v, "%s velocity needs both limit and window", where)
		}
		ls, err := scalar(ln, where+" velocity limit")
		if err != nil {
			return nil, err
		}
		lim, err := ParseAmount(ls)
		if err != nil {
			return nil, errAt(ln, "%s velocity limit: %v", where, err)
		}
		ws, err := scalar(wn, where+" velocity window")
		if err != nil {
			return nil, err
		}
		win, err := ParseDuration(ws)
		if err != nil {
			return nil, errAt(wn, "%s velocity window: %v", where, err)
		}
		r.Velocity = &Velocity{Limit: lim, Window: win}
	}
	if v := f.get("destinations"); v != nil {
		if r.Destinations, err = p.parseDestinations(v, where); err != nil {
			return nil, err
		}
	}
	if v := f.get("max_fee_rate"); v != nil {
		s, err := scalar(v, where+" max_fee_rate")
		if err != nil {
			return nil, err
		}
		fr, err := ParseFeeRate(s)
		if err != nil {
			return nil, errAt(v, "%s max_fee_rate: %v", where, err)
		}
		r.MaxFeeRate = &fr
	}
	if v := f.get("max_fee_percent"); v != nil {
		s, err := scalar(v, where+" max_fee_percent")
		if err != nil {
			return nil, err
		}
		pc, err := ParsePercent(s)
		if err != nil {
			return nil, errAt(v, "%s max_fee_percent: %v", where, err)
		}
		r.MaxFeePercent = &pc
	}
	if v := f.get("approvals"); v != nil {
		af, err := mapping(v, where+" approvals", "group", "required")
		if err != nil {
			return nil, err
		}
		gn, rn := af.get("group"), af.get("required")
		if gn == nil || rn == nil {
			return nil, errAt(v, "%s approvals needs both group and required", where)
		}
		name, err := str(gn, where+" approvals group")
		if err != nil {
			return nil, err
		}
		g := p.Group(name)
		if g == nil {
			return nil, errAt(gn, "%s approvals: there is no group %q under groups", where, clip(name))
		}
		req, err := integer(rn, where+" approvals required", 1, int64(len(g.Members)))
		if err != nil {
			return nil, err
		}
		r.Approvals = &ApprovalRule{Group: name, Required: int(req)}
	}
	if v := f.get("sighash"); v != nil {
		list, lines, err := stringList(v, where+" sighash")
		if err != nil {
			return nil, err
		}
		for i, s := range list {
			name, ok := sighashNames[strings.ToUpper(strings.ReplaceAll(s, " ", ""))]
			if !ok {
				return nil, &ParseError{Line: lines[i], Msg: fmt.Sprintf("%s sighash %q is not ALL, NONE, SINGLE or one of them with |ANYONECANPAY", where, clip(s))}
			}
			r.Sighash = append(r.Sighash, name)
		}
	}
	if v := f.get("script_types"); v != nil {
		list, lines, err := stringList(v, where+" script_types")
		if err != nil {
			return nil, err
		}
		for i, s := range list {
			name, ok := spendNames[strings.ToLower(s)]
			if !ok {
				return nil, &ParseError{Line: lines[i], Msg: fmt.Sprintf("%s script type %q is not one of %s", where, clip(s), strings.Join(spendList, ", "))}
			}
			r.ScriptTypes = append(r.ScriptTypes, name)
		}
	}
	if v := f.get("confirm"); v != nil {
		if r.Confirm, err = boolean(v, where+" confirm"); err != nil {
			return nil, err
		}
	}
	if v := f.get("warnings_ok"); v != nil {
		if r.WarningsOK, err = boolean(v, where+" warnings_ok"); err != nil {
			return nil, err
		}
	}
	if v := f.get("time_window"); v != nil {
		if r.TimeWindow, err = parseTimeWindow(v, where); err != nil {
			return nil, err
		}
	}
	if r.Destinations == nil { // the schema: a rule may set destinations; without, any
		r.Destinations = &Destinations{Any: true}
	}
	if r.MaxPerTx == nil && r.Velocity == nil && r.Destinations.Any && r.Approvals == nil {
		return nil, errAt(n, "%s sets no limit: give it max_per_tx, velocity, a destinations list or approvals (a rule without any would allow everything)", where)
	}
	return r, nil
}

func (p *Policy) parseDestinations(n *yaml.Node, where string) (*Destinations, error) {
	if n.Kind == yaml.ScalarNode {
		if strings.EqualFold(strings.TrimSpace(n.Value), "any") {
			return &Destinations{Any: true}, nil
		}
		return nil, errAt(n, "%s destinations is neither any nor a list of addresses and descriptors", where)
	}
	items, err := sequence(n, where+" destinations")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, errAt(n, "%s destinations is an empty list: nothing could be sent (write any to allow every address)", where)
	}
	d := &Destinations{scripts: make(map[string]int, len(items))}
	params := p.Network.Params()
	seen := make(map[string]int, len(items))
	for _, it := range items {
		s, err := str(it, where+" destination")
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		if line, dup := seen[s]; dup {
			return nil, errAt(it, "%s destination %s is listed twice (first on line %d)", where, clip(s), line)
		}
		seen[s] = it.Line
		idx := len(d.Entries)
		if strings.ContainsRune(s, '(') {
			desc, err := wallet.ParseDescriptorWithChecksum(s)
			if err != nil {
				return nil, errAt(it, "%s destination descriptor: %v", where, err)
			}
			if err := desc.CheckNetwork(p.Network); err != nil {
				return nil, errAt(it, "%s destination descriptor: %v", where, err)
			}
			d.Entries = append(d.Entries, Destination{Text: s, Line: it.Line, Descriptor: true})
			if err := addDescriptorScripts(d, desc, idx); err != nil {
				return nil, errAt(it, "%s destination descriptor: %v", where, err)
			}
			continue
		}
		addr, err := btcutil.DecodeAddress(s, params)
		if err != nil || !addr.IsForNet(params) {
			return nil, errAt(it, "%s destination %q is not a %s address (nor a descriptor)", where, clip(s), p.Network)
		}
		spk, err := txscript.PayToAddrScript(addr)
		if err != nil {
			return nil, errAt(it, "%s destination %q has no output script", where, clip(s))
		}
		d.Entries = append(d.Entries, Destination{Text: s, Line: it.Line})
		if _, dup := d.scripts[string(spk)]; !dup {
			d.scripts[string(spk)] = idx
		}
	}
	return d, nil
}

// addDescriptorScripts allows the scripts of a descriptor: the one script
// of a fixed descriptor, else DescriptorLookahead of each branch (derived
// on first use; the first address is derived here to check the
// descriptor).
func addDescriptorScripts(d *Destinations, desc *wallet.Descriptor, idx int) error {
	for _, half := range desc.Expand() {
		spk, err := half.ScriptPubKey(0, 0)
		if err != nil {
			return err
		}
		if _, dup := d.scripts[string(spk)]; !dup {
			d.scripts[string(spk)] = idx
		}
		if half.IsRange() {
			d.ranged = append(d.ranged, rangedEntry{desc: half, entry: idx})
		}
	}
	return nil
}

// deriveRanged adds the scripts of the ranged descriptors. An index that
// does not derive (BIP32's one-in-2^127 invalid child) is skipped.
func (d *Destinations) deriveRanged() {
	for _, r := range d.ranged {
		bd, err := r.desc.Branch(0)
		if err != nil {
			continue
		}
		spks, err := bd.ScriptPubKeys(0, DescriptorLookahead)
		if err != nil { // one bad index: derive one by one, skipping it
			spks = spks[:0]
			for i := uint32(0); i < DescriptorLookahead; i++ {
				if spk, err := bd.ScriptPubKey(i); err == nil {
					spks = append(spks, spk)
				}
			}
		}
		for _, spk := range spks {
			if _, dup := d.scripts[string(spk)]; !dup {
				d.scripts[string(spk)] = r.entry
			}
		}
	}
}

// sighashNames maps what a policy may write to the names a Review shows.
var sighashNames = map[string]string{
	"DEFAULT": "DEFAULT", "ALL": "ALL", "NONE": "NONE", "SINGLE": "SINGLE",
	"ALL|ANYONECANPAY": "ALL|ANYONECANPAY", "NONE|ANYONECANPAY": "NONE|ANYONECANPAY", "SINGLE|ANYONECANPAY": "SINGLE|ANYONECANPAY",
}

// spendNames maps script type names (the Review's spend names and the
// wallet's script type names) to the Review's.
var spendNames = map[string]string{
	"p2pkh": "p2pkh", "pkh": "p2pkh",
	"p2wpkh": "p2wpkh", "wpkh": "p2wpkh",
	"p2sh-p2wpkh": "p2sh-p2wpkh", "sh-wpkh": "p2sh-p2wpkh",
	"p2tr": "p2tr-keypath", "p2tr-keypath": "p2tr-keypath", "tr": "p2tr-keypath",
	"p2wsh-multisig": "p2wsh-multisig", "wsh-multi": "p2wsh-multisig",
	"p2sh-p2wsh-multisig": "p2sh-p2wsh-multisig", "sh-wsh-multi": "p2sh-p2wsh-multisig",
	"p2sh-multisig": "p2sh-multisig", "sh-multi": "p2sh-multisig",
}

var spendList = []string{"p2wpkh", "p2sh-p2wpkh", "p2tr", "p2wsh-multisig", "p2sh-p2wsh-multisig", "p2sh-multisig", "p2pkh"}

func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if _, e := fmt.Sscanf(rest[:i], "%d", &line); e == nil {
				msg = rest[i+2:]
			}
		}
	}
	return &ParseError{Line: line, Msg: "the policy is not valid YAML: " + clip(msg)}
}
