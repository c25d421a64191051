package wallet

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// MaxDescriptorLen bounds the descriptor text ParseDescriptor reads. A
// 20-key multisig descriptor with key origins is about 3,500 characters.
const MaxDescriptorLen = 16384

// DescriptorError says where and why a descriptor was refused. Err is a
// sentinel (ErrPrivateKey, ErrUnsupported, ErrChecksum, ...) or nil. The
// message never repeats key text, so a private key pasted by mistake does
// not end up in a log.
type DescriptorError struct {
	Offset int // byte offset in the descriptor (0-based)
	Reason string
	Err    error
}

func (e *DescriptorError) Error() string {
	return fmt.Sprintf("descriptor, character %d: %s", e.Offset+1, e.Reason)
}

func (e *DescriptorError) Unwrap() error { return e.Err }

// ParseDescriptor reads an output descriptor. A "#checksum" is verified
// when present and may be absent (BIP380 leaves that to the application;
// use ParseDescriptorWithChecksum for text typed or pasted by a person).
//
// Supported: pk, pkh, wpkh, sh, wsh, multi, sortedmulti, tr(KEY) and raw,
// with keys as hex public keys or xpub/tpub with origins, derivation steps
// ('h' or ' for hardened), one BIP389 multipath step and a final /* or /*h.
// Private keys (WIF, xprv) fail with ErrPrivateKey; tr() script trees,
// combo, addr, miniscript and musig fail with ErrUnsupported.
func ParseDescriptor(s string) (*Descriptor, error) { return parseDescriptor(s, false) }

// ParseDescriptorWithChecksum is ParseDescriptor requiring the checksum;
// its absence fails with ErrMissingChecksum.
func ParseDescriptorWithChecksum(s string) (*Descriptor, error) { return parseDescriptor(s, true) }

func parseDescriptor(s string, requireChecksum bool) (*Descriptor, error) {
	if len(s) > MaxDescriptorLen {
		return nil, &DescriptorError{Offset: MaxDescriptorLen, Reason: fmt.Sprintf("descriptor is %d characters, more than %d", len(s), MaxDescriptorLen)}
	}
	body, has, err := SplitChecksum(s)
	if err != nil {
		var sentinel error
		if errors.Is(err, ErrChecksum) {
			sentinel = ErrChecksum
		}
		at := strings.IndexByte(s, '#')
		if at < 0 {
			at = 0
		}
		return nil, &DescriptorError{Offset: at, Reason: err.Error(), Err: sentinel}
	}
	if requireChecksum && !has {
		return nil, &DescriptorError{Offset: len(s), Reason: "descriptor has no #checksum at the end", Err: ErrMissingChecksum}
	}
	p := &parser{s: body}
	root, err := p.script(ctxTop)
	if err != nil {
		return nil, err
	}
	if p.pos != len(body) {
		return nil, p.fail(p.pos, nil, "unexpected text after the end of the descriptor")
	}
	d := &Descriptor{root: root}
	mainnet := -1 // network kind of the first extended key: 1 mainnet, 0 test
	for i, k := range d.Keys() {
		if k.xpub != nil {
			f, _ := KeyNetworkFormat(k.xpub)
			m := 0
			if f.Mainnet {
				m = 1
			}
			if mainnet >= 0 && m != mainnet {
				return nil, p.fail(0, ErrWrongNetwork, "key %d is a %s but an earlier key is not; all keys must be for one network", i+1, f.Prefix)
			}
			mainnet = m
		}
		m := k.MultipathLen()
		if m == 0 {
			continue
		}
		if d.multipathLen != 0 && d.multipathLen != m {
			return nil, p.fail(0, nil, "key %d has a multipath step of %d elements, but an earlier key has %d; they must match", i+1, m, d.multipathLen)
		}
		d.multipathLen = m
	}
	return d, nil
}

type parseCtx uint8

const (
	ctxTop parseCtx = iota
	ctxSH           // directly inside sh()
	ctxWSH          // inside wsh() (or sh(wsh()))
)

type parser struct {
	s     string
	pos   int
	nkeys int
}

func (p *parser) fail(at int, sentinel error, format string, args ...any) error {
	return &DescriptorError{Offset: at, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

func (p *parser) peek(c byte) bool { return p.pos < len(p.s) && p.s[p.pos] == c }

func (p *parser) eat(c byte) bool {
	if p.peek(c) {
		p.pos++
		return true
	}
	return false
}

// ident reads a function name: lower-case letters, digits and underscores.
func (p *parser) ident() string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			p.pos++
			continue
		}
		break
	}
	return p.s[start:p.pos]
}

// token reads up to the next ',' or ')' (exclusive).
func (p *parser) token() string {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != ',' && p.s[p.pos] != ')' {
		p.pos++
	}
	return p.s[start:p.pos]
}

// atScript reports whether a script expression (name followed by '(')
// starts at the current position.
func (p *parser) atScript() bool {
	save := p.pos
	defer func() { p.pos = save }()
	name := p.ident()
	return name != "" && p.peek('(')
}

func (p *parser) script(ctx parseCtx) (*node, error) {
	start := p.pos
	name := p.ident()
	if name == "" || !p.peek('(') {
		p.pos = start
		return nil, p.fail(start, nil, "expected a script expression such as wpkh(...) here")
	}
	p.pos++
	shown := name
	if len(shown) > 16 {
		shown = shown[:16] + "..."
	}
	var n *node
	var err error
	switch name {
	case "pk", "pkh":
		f := fnPK
		if name == "pkh" {
			f = fnPKH
		}
		var k *DescriptorKey
		if k, err = p.keyArg(ctx, name); err == nil {
			n = &node{fn: f, keys: []*DescriptorKey{k}}
		}
	case "wpkh":
		if ctx == ctxWSH {
			return nil, p.fail(start, nil, "wpkh() cannot be inside wsh()")
		}
		var k *DescriptorKey
		if k, err = p.keyArg(ctx, name); err == nil {
			n = &node{fn: fnWPKH, keys: []*DescriptorKey{k}}
		}
	case "sh":
		if ctx != ctxTop {
			return nil, p.fail(start, nil, "sh() can only be at the top level")
		}
		var sub *node
		if sub, err = p.subScript(ctxSH, name); err == nil {
			n = &node{fn: fnSH, sub: sub}
		}
	case "wsh":
		if ctx == ctxWSH {
			return nil, p.fail(start, nil, "wsh() cannot be inside wsh()")
		}
		var sub *node
		if sub, err = p.subScript(ctxWSH, name); err == nil {
			n = &node{fn: fnWSH, sub: sub}
		}
	case "multi", "sortedmulti":
		n, err = p.multi(ctx, name, start)
	case "tr":
		if ctx != ctxTop {
			return nil, p.fail(start, nil, "tr() can only be at the top level")
		}
		var k *DescriptorKey
		if k, err = p.keyArg(ctx, name); err == nil {
			if p.peek(',') {
				return nil, p.fail(p.pos, ErrUnsupported, "tr() with a script tree is not supported; Coffer handles key-path-only tr(KEY)")
			}
			n = &node{fn: fnTR, keys: []*DescriptorKey{k}}
		}
	case "raw":
		if ctx != ctxTop {
			return nil, p.fail(start, nil, "raw() can only be at the top level")
		}
		at := p.pos
		tok := p.token()
		b, herr := hex.DecodeString(tok)
		if herr != nil || len(b) == 0 {
			return nil, p.fail(at, nil, "raw() takes a script in hex")
		}
		if len(b) > maxStandardScriptLen {
			return nil, p.fail(at, nil, "raw() script is %d bytes, more than %d", len(b), maxStandardScriptLen)
		}
		n = &node{fn: fnRaw, raw: b}
	case "combo", "addr", "rawtr":
		if ctx != ctxTop {
			return nil, p.fail(start, nil, "%s() can only be at the top level", name)
		}
		return nil, p.fail(start, ErrUnsupported, "%s() descriptors are not supported", name)
	case "multi_a", "sortedmulti_a", "musig", "and_v", "and_b", "or_b", "or_c", "or_d", "or_i", "andor", "thresh",
		"older", "after", "sha256", "hash256", "ripemd160", "hash160", "pk_k", "pk_h", "v", "c", "t", "a", "s", "d", "j", "n", "l", "u":
		return nil, p.fail(start, ErrUnsupported, "%s() (miniscript, musig) is not supported", name)
	default:
		return nil, p.fail(start, nil, "unknown script function %q", shown)
	}
	if err != nil {
		return nil, err
	}
	if !p.eat(')') {
		return nil, p.fail(p.pos, nil, "expected ) to close %s(", name)
	}
	return n, nil
}

func (p *parser) subScript(ctx parseCtx, parent string) (*node, error) {
	if !p.atScript() {
		return nil, p.fail(p.pos, nil, "%s() takes a script expression such as wpkh(...), not a key", parent)
	}
	return p.script(ctx)
}

func (p *parser) keyArg(ctx parseCtx, fname string) (*DescriptorKey, error) {
	at := p.pos
	tok := p.token()
	if strings.IndexByte(tok, '(') >= 0 {
		return nil, p.fail(at, nil, "%s() takes a key, not a script expression", fname)
	}
	p.nkeys++
	return p.parseKey(tok, at, ctx, fname, p.nkeys)
}

func (p *parser) multi(ctx parseCtx, fname string, start int) (*node, error) {
	f := fnMulti
	if fname == "sortedmulti" {
		f = fnSortedMulti
	}
	at := p.pos
	tok := p.token()
	if tok == "" || len(tok) > 2 || strings.Trim(tok, "0123456789") != "" {
		return nil, p.fail(at, nil, "%s() threshold is not a number from 1 to %d", fname, maxMultisigKeys)
	}
	k, _ := strconv.Atoi(tok)
	n := &node{fn: f, threshold: k}
	for p.eat(',') {
		key, err := p.keyArg(ctx, fname)
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, key)
		if len(n.keys) > maxMultisigKeys {
			return nil, p.fail(start, nil, "%s() has more than %d keys", fname, maxMultisigKeys)
		}
	}
	switch {
	case len(n.keys) == 0:
		return nil, p.fail(start, nil, "%s() has no keys", fname)
	case k < 1:
		return nil, p.fail(at, nil, "%s() threshold is 0; it must be at least 1", fname)
	case k > len(n.keys):
		return nil, p.fail(at, nil, "%s() threshold %d is more than its %d keys", fname, k, len(n.keys))
	case ctx == ctxTop && len(n.keys) > maxBareMultisigKeys:
		return nil, p.fail(start, nil, "bare %s() has %d keys; at most %d are standard (use wsh())", fname, len(n.keys), maxBareMultisigKeys)
	}
	size := 3 // OP_k, OP_n, OP_CHECKMULTISIG
	if k > 16 {
		size++
	}
	if len(n.keys) > 16 {
		size++
	}
	for _, key := range n.keys {
		if len(key.pub) == 65 {
			size += 66
		} else {
			size += 34
		}
	}
	if ctx == ctxSH && size > maxP2SHScriptSize {
		return nil, p.fail(start, nil, "%s() inside sh() makes a %d-byte redeem script, more than %d (at most 15 compressed keys)", fname, size, maxP2SHScriptSize)
	}
	if ctx == ctxWSH && size > maxP2WSHScriptSize {
		return nil, p.fail(start, nil, "%s() inside wsh() makes a %d-byte witness script, more than %d", fname, size, maxP2WSHScriptSize)
	}
	return n, nil
}

// parseKey reads one key expression. Errors name the key by number and
// never repeat its text.
func (p *parser) parseKey(tok string, at int, ctx parseCtx, fname string, num int) (*DescriptorKey, error) {
	k := &DescriptorKey{}
	rest := tok
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, p.fail(at, nil, "key %d: key origin has no closing ]", num)
		}
		if err := parseOrigin(rest[1:end], &k.origin); err != nil {
			return nil, p.fail(at, nil, "key %d: key origin: %v", num, err)
		}
		k.hasOrigin = true
		rest = rest[end+1:]
		at += end + 1
		if strings.HasPrefix(rest, "[") {
			return nil, p.fail(at, nil, "key %d has more than one key origin", num)
		}
		if rest == "" {
			return nil, p.fail(at, nil, "key %d: key origin has no key after it", num)
		}
	}
	if strings.IndexByte(rest, ']') >= 0 {
		return nil, p.fail(at, nil, "key %d: ] without a [ opening a key origin", num)
	}
	if rest == "" {
		return nil, p.fail(at, nil, "%s() key %d is empty", fname, num)
	}
	parts := strings.Split(rest, "/")
	keyText, steps := parts[0], parts[1:]

	if isHex(keyText) {
		if len(steps) > 0 {
			return nil, p.fail(at, nil, "key %d: a hex public key takes no derivation steps", num)
		}
		b, _ := hex.DecodeString(keyText)
		switch {
		case len(b) == 32 && fname == "tr":
			pk, err := schnorr.ParsePubKey(b)
			if err != nil {
				return nil, p.fail(at, nil, "key %d: x-only key is not a point on secp256k1", num)
			}
			k.pub, k.pubKey = b, pk
		case len(b) == 33 && (b[0] == 2 || b[0] == 3), len(b) == 65 && b[0] == 4:
			pk, err := btcec.ParsePubKey(b)
			if err != nil {
				return nil, p.fail(at, nil, "key %d: public key is not a point on secp256k1", num)
			}
			if len(b) == 65 && (ctx == ctxWSH || fname == "wpkh" || fname == "tr") {
				return nil, p.fail(at, nil, "key %d: uncompressed public key is not allowed in %s", num, segwitWhere(ctx, fname))
			}
			k.pub, k.pubKey = b, pk
		default:
			want := "33 bytes starting 02 or 03, or 65 starting 04"
			if fname == "tr" {
				want = "32 bytes x-only, or 33 bytes starting 02 or 03"
			}
			return nil, p.fail(at, nil, "key %d: hex key of %d bytes is not a public key (%s)", num, len(b), want)
		}
		return k, nil
	}

	if looksLikeWIF(keyText) {
		return nil, p.fail(at, ErrPrivateKey, "key %d is a private key (WIF); Coffer takes only public keys in descriptors", num)
	}
	xk, f, err := ParseExtendedKey(keyText)
	if errors.Is(err, ErrPrivateKey) {
		return nil, p.fail(at, ErrPrivateKey, "key %d is an extended private key (%s); Coffer takes only public keys in descriptors", num, f.Prefix)
	}
	if err != nil {
		return nil, p.fail(at, nil, "key %d: %v", num, err)
	}
	if f.IsSLIP132() {
		plain := "tpub"
		if f.Mainnet {
			plain = "xpub"
		}
		return nil, p.fail(at, nil, "key %d is a SLIP-132 %s; descriptors take it as %s (the script type is in the descriptor)", num, f.Prefix, plain)
	}
	k.xpub = xk
	multipath := false
	for i, st := range steps {
		last := i == len(steps)-1
		switch st {
		case "*", "*h", "*'":
			if !last {
				return nil, p.fail(at, nil, "key %d: the wildcard * must be the last step", num)
			}
			k.wild = wildNormal
			if st != "*" {
				k.wild = wildHardened
			}
			continue
		}
		if strings.HasPrefix(st, "<") {
			if !strings.HasSuffix(st, ">") {
				return nil, p.fail(at, nil, "key %d: multipath step %d has no closing >", num, i+1)
			}
			if multipath {
				return nil, p.fail(at, nil, "key %d has more than one multipath step", num)
			}
			multipath = true
			alts, err := parseMultipath(st[1 : len(st)-1])
			if err != nil {
				return nil, p.fail(at, nil, "key %d: multipath step %d: %v", num, i+1, err)
			}
			k.steps = append(k.steps, keyStep{alts: alts})
			continue
		}
		if strings.ContainsAny(st, "<>;") {
			return nil, p.fail(at, nil, "key %d: step %d is a malformed multipath step (write /<0;1>)", num, i+1)
		}
		v, err := parseStep(st, "h'")
		if err != nil {
			if st == "" {
				return nil, p.fail(at, nil, "key %d: step %d is empty (a stray /)", num, i+1)
			}
			return nil, p.fail(at, nil, "key %d: step %d: %v", num, i+1, err)
		}
		k.steps = append(k.steps, keyStep{index: v})
	}
	if depth := int(xk.Depth()) + len(steps); depth > maxPathDepth {
		return nil, p.fail(at, nil, "key %d: derivation reaches depth %d, deeper than %d", num, depth, maxPathDepth)
	}
	return k, nil
}

func segwitWhere(ctx parseCtx, fname string) string {
	if ctx == ctxWSH {
		return "wsh()"
	}
	return fname + "()"
}

// parseOrigin reads "fingerprint/step/step" from inside [ ].
func parseOrigin(s string, o *KeyOrigin) error {
	parts := strings.Split(s, "/")
	fp := parts[0]
	if len(fp) != 8 {
		return fmt.Errorf("fingerprint must be 8 hex characters, got %d characters", len(fp))
	}
	if !isHex(fp) {
		return fmt.Errorf("fingerprint has a character that is not hex")
	}
	b, _ := hex.DecodeString(fp)
	copy(o.Fingerprint[:], b)
	if len(parts)-1 > maxPathDepth {
		return fmt.Errorf("path has %d steps, more than %d", len(parts)-1, maxPathDepth)
	}
	o.Path = make(Path, 0, len(parts)-1)
	for i, st := range parts[1:] {
		switch {
		case st == "":
			return fmt.Errorf("step %d is empty (a stray /)", i+1)
		case strings.HasPrefix(st, "*"):
			return fmt.Errorf("step %d: a wildcard cannot be in a key origin", i+1)
		case strings.ContainsAny(st, "<>;"):
			return fmt.Errorf("step %d: a multipath step cannot be in a key origin", i+1)
		}
		v, err := parseStep(st, "h'")
		if err != nil {
			return fmt.Errorf("step %d: %v", i+1, err)
		}
		o.Path = append(o.Path, v)
	}
	return nil
}

// parseMultipath reads the inside of <...>: two or more distinct steps
// separated by ';'.
func parseMultipath(s string) ([]uint32, error) {
	if s == "" {
		return nil, errors.New("it is empty")
	}
	parts := strings.Split(s, ";")
	if len(parts) < 2 {
		return nil, errors.New("it needs at least two elements")
	}
	alts := make([]uint32, 0, len(parts))
	seen := make(map[uint32]bool, len(parts))
	for i, part := range parts {
		if part == "" {
			return nil, fmt.Errorf("element %d is missing", i+1)
		}
		v, err := parseStep(part, "h'")
		if err != nil {
			return nil, fmt.Errorf("element %d: %v", i+1, err)
		}
		if seen[v] {
			return nil, fmt.Errorf("element %d repeats %s", i+1, formatStep(v, 'h'))
		}
		seen[v] = true
		alts = append(alts, v)
	}
	return alts, nil
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// looksLikeWIF reports whether s decodes to the shape of a WIF private key
// (version 0x80 or 0xef, 32 key bytes, optional compression flag, 4 checksum
// bytes), checksum or not: a mistyped private key is still refused as one.
func looksLikeWIF(s string) bool {
	if len(s) < 50 || len(s) > 53 {
		return false
	}
	b, ok := base58Decode([]byte(s))
	defer Wipe(b)
	if !ok {
		return false
	}
	return (len(b) == 37 || len(b) == 38 && b[33] == 0x01) && (b[0] == 0x80 || b[0] == 0xef)
}
