package urtypes

import (
	"math"
	"strconv"

	"github.com/coffer-custody/coffer/qr/internal/cbor"
)

// ParseOutput decodes the CBOR of a crypto-output UR.
func ParseOutput(b []byte) (Output, error) {
	r := cbor.NewReader(b)
	o, err := readOutput(r, 0)
	if err != nil {
		return Output{}, err
	}
	if err := r.ExpectEnd(); err != nil {
		return Output{}, wrap("crypto-output", err)
	}
	return o, nil
}

// ParseHDKey decodes the CBOR of a crypto-hdkey UR (untagged, or tagged
// 303 as where it is embedded).
func ParseHDKey(b []byte) (HDKey, error) {
	r := cbor.NewReader(b)
	if m, err := r.PeekMajor(); err == nil && m == cbor.MajorTag {
		if err := expectTag(r, TagHDKey, "crypto-hdkey"); err != nil {
			return HDKey{}, err
		}
	}
	k, err := readHDKey(r)
	if err != nil {
		return HDKey{}, err
	}
	if err := r.ExpectEnd(); err != nil {
		return HDKey{}, wrap("crypto-hdkey", err)
	}
	return k, nil
}

func expectTag(r *cbor.Reader, want uint64, field string) error {
	tag, err := r.Tag()
	if err != nil {
		return wrap(field, err)
	}
	if tag != want {
		return formatErr(field, "tag %d, want %d", tag, want)
	}
	return nil
}

func readOutput(r *cbor.Reader, depth int) (Output, error) {
	tag, err := r.Tag()
	if err != nil {
		return Output{}, wrap("crypto-output", err)
	}
	return readOutputBody(r, tag, depth)
}

// readOutputBody reads the expression whose tag has been read.
func readOutputBody(r *cbor.Reader, tag uint64, depth int) (Output, error) {
	if depth > maxNesting {
		return Output{}, formatErr("crypto-output", "nested deeper than %d", maxNesting)
	}
	kind, ok := kindOf(tag)
	if !ok {
		return Output{}, formatErr("crypto-output", "tag %d is not a supported script expression", tag)
	}
	o := Output{Kind: kind}
	field := "crypto-output " + kind.String()
	switch kind {
	case SH, WSH, Taproot:
		// Either a script expression or, as BCR-2020-015 writes, a key.
		t, err := r.Tag()
		if err != nil {
			return Output{}, wrap(field, err)
		}
		if t == TagHDKey || t == TagECKey {
			k, err := readKeyBody(r, t)
			if err != nil {
				return Output{}, err
			}
			o.Key = &k
			break
		}
		inner, err := readOutputBody(r, t, depth+1)
		if err != nil {
			return Output{}, err
		}
		o.Inner = &inner
	case PK, PKH, WPKH, Combo, Cosigner:
		k, err := readKey(r)
		if err != nil {
			return Output{}, err
		}
		o.Key = &k
	case Multi, SortedMulti:
		n, err := r.Map(2)
		if err != nil || n != 2 {
			return Output{}, formatErrOr(field, err, "want a map of threshold and keys")
		}
		if key, err := r.Uint(); err != nil || key != 1 {
			return Output{}, formatErrOr(field, err, "first key is not 1 (threshold)")
		}
		t, err := r.Uint()
		if err != nil {
			return Output{}, wrap(field+" threshold", err)
		}
		if key, err := r.Uint(); err != nil || key != 2 {
			return Output{}, formatErrOr(field, err, "second key is not 2 (keys)")
		}
		nk, err := r.Array(maxKeys)
		if err != nil {
			return Output{}, wrap(field+" keys", err)
		}
		if nk == 0 || t < 1 || t > uint64(nk) {
			return Output{}, formatErr(field, "threshold %d of %d keys", t, nk)
		}
		o.Threshold = int(t)
		for i := 0; i < nk; i++ {
			k, err := readKey(r)
			if err != nil {
				return Output{}, err
			}
			o.Keys = append(o.Keys, k)
		}
	case Raw:
		s, err := r.Bytes(maxScript)
		if err != nil {
			return Output{}, wrap(field, err)
		}
		o.Script = append([]byte(nil), s...)
	}
	return o, nil
}

func formatErrOr(field string, err error, reason string) error {
	if err != nil {
		return wrap(field, err)
	}
	return formatErr(field, "%s", reason)
}

func readKey(r *cbor.Reader) (Key, error) {
	tag, err := r.Tag()
	if err != nil {
		return Key{}, wrap("key expression", err)
	}
	return readKeyBody(r, tag)
}

// readKeyBody reads the key whose tag has been read.
func readKeyBody(r *cbor.Reader, tag uint64) (Key, error) {
	switch tag {
	case TagHDKey:
		k, err := readHDKey(r)
		if err != nil {
			return Key{}, err
		}
		return Key{HD: &k}, nil
	case TagECKey:
		k, err := readECKey(r)
		if err != nil {
			return Key{}, err
		}
		return Key{EC: &k}, nil
	}
	return Key{}, formatErr("key expression", "tag %d is neither crypto-hdkey (303) nor crypto-eckey (306)", tag)
}

// mapReader walks a map whose keys are small unsigned integers in
// strictly increasing order.
type mapReader struct {
	r     *cbor.Reader
	field string
	left  int
	last  int64
}

func newMap(r *cbor.Reader, field string, max int) (*mapReader, error) {
	n, err := r.Map(max)
	if err != nil {
		return nil, wrap(field, err)
	}
	return &mapReader{r: r, field: field, left: n, last: -1}, nil
}

// next returns the next key, or -1 at the end of the map.
func (m *mapReader) next() (int, error) {
	if m.left == 0 {
		return -1, nil
	}
	m.left--
	k, err := m.r.Uint()
	if err != nil {
		return 0, wrap(m.field, err)
	}
	if int64(k) <= m.last {
		return 0, formatErr(m.field, "map key %d after %d: keys must be unique and in order", k, m.last)
	}
	m.last = int64(k)
	return int(k), nil
}

func readECKey(r *cbor.Reader) (ECKey, error) {
	const field = "crypto-eckey"
	m, err := newMap(r, field, 3)
	if err != nil {
		return ECKey{}, err
	}
	var k ECKey
	for {
		key, err := m.next()
		if err != nil {
			return ECKey{}, err
		}
		switch key {
		case -1:
			if k.Data == nil {
				return ECKey{}, formatErr(field, "no data")
			}
			return k, nil
		case 1: // curve: only secp256k1 (0)
			c, err := r.Uint()
			if err != nil || c != 0 {
				return ECKey{}, formatErrOr(field+" curve", err, "only secp256k1 (0) is supported")
			}
			return ECKey{}, formatErr(field+" curve", "the default curve must be left out (deterministic CBOR)")
		case 2:
			priv, err := r.Bool()
			if err != nil {
				return ECKey{}, wrap(field+" is-private", err)
			}
			if priv {
				return ECKey{}, ErrPrivateKey
			}
			return ECKey{}, formatErr(field+" is-private", "false is the default and must be left out")
		case 3:
			d, err := r.Bytes(33)
			if err != nil {
				return ECKey{}, wrap(field+" data", err)
			}
			if len(d) == 32 {
				return ECKey{}, ErrPrivateKey // a 32-byte key is a private key
			}
			if err := checkPublicKey(field+" data", d); err != nil {
				return ECKey{}, err
			}
			k.Data = append([]byte(nil), d...)
		default:
			return ECKey{}, formatErr(field, "unknown map key %d", key)
		}
	}
}

func readHDKey(r *cbor.Reader) (HDKey, error) {
	const field = "crypto-hdkey"
	m, err := newMap(r, field, 10)
	if err != nil {
		return HDKey{}, err
	}
	var k HDKey
	for {
		key, err := m.next()
		if err != nil {
			return HDKey{}, err
		}
		switch key {
		case -1:
			if k.KeyData == nil {
				return HDKey{}, formatErr(field, "no key-data")
			}
			return k, nil
		case 1, 2: // is-master, is-private
			v, err := r.Bool()
			if err != nil {
				return HDKey{}, wrap(field, err)
			}
			if v {
				return HDKey{}, ErrPrivateKey
			}
			return HDKey{}, formatErr(field, "is-master or is-private false is the default and must be left out")
		case 3:
			d, err := r.Bytes(33)
			if err != nil {
				return HDKey{}, wrap(field+" key-data", err)
			}
			if len(d) == 33 && d[0] == 0 {
				return HDKey{}, ErrPrivateKey
			}
			if err := checkPublicKey(field+" key-data", d); err != nil {
				return HDKey{}, err
			}
			k.KeyData = append([]byte(nil), d...)
		case 4:
			d, err := r.Bytes(32)
			if err != nil || len(d) != 32 {
				return HDKey{}, formatErrOr(field+" chain-code", err, "not 32 bytes")
			}
			k.ChainCode = append([]byte(nil), d...)
		case 5:
			c, err := readCoinInfo(r)
			if err != nil {
				return HDKey{}, err
			}
			k.UseInfo = &c
		case 6, 7:
			name := "origin"
			if key == 7 {
				name = "children"
			}
			p, err := readKeypath(r, name)
			if err != nil {
				return HDKey{}, err
			}
			if key == 6 {
				k.Origin = &p
			} else {
				k.Children = &p
			}
		case 8:
			fp, err := r.Uint()
			if err != nil || fp == 0 || fp > math.MaxUint32 {
				return HDKey{}, formatErrOr(field+" parent-fingerprint", err, "not a non-zero 32-bit number")
			}
			k.ParentFingerprint = uint32(fp)
		case 9, 10:
			s, err := r.Text(maxText)
			if err != nil {
				return HDKey{}, wrap(field+" name or note", err)
			}
			if s == "" {
				return HDKey{}, formatErr(field, "empty name or note must be left out")
			}
			if key == 9 {
				k.Name = s
			} else {
				k.Note = s
			}
		default:
			return HDKey{}, formatErr(field, "unknown map key %d", key)
		}
	}
}

func readCoinInfo(r *cbor.Reader) (CoinInfo, error) {
	const field = "crypto-coininfo"
	if err := expectTag(r, TagCoinInfo, field); err != nil {
		return CoinInfo{}, err
	}
	m, err := newMap(r, field, 2)
	if err != nil {
		return CoinInfo{}, err
	}
	var c CoinInfo
	for {
		key, err := m.next()
		if err != nil {
			return CoinInfo{}, err
		}
		switch key {
		case -1:
			return c, nil
		case 1:
			t, err := r.Uint()
			if err != nil || t == 0 || t >= 1<<31 {
				return CoinInfo{}, formatErrOr(field+" type", err, "not a non-default coin type below 2^31")
			}
			c.Type = uint32(t)
		case 2:
			major, err := r.PeekMajor()
			if err != nil {
				return CoinInfo{}, wrap(field+" network", err)
			}
			_, v, err := r.Head()
			if err != nil || (major != cbor.MajorUint && major != cbor.MajorNegInt) || v >= 1<<31 {
				return CoinInfo{}, formatErrOr(field+" network", err, "not a small integer")
			}
			if major == cbor.MajorNegInt {
				c.Network = -1 - int(v)
			} else if v == 0 {
				return CoinInfo{}, formatErr(field+" network", "mainnet (0) is the default and must be left out")
			} else {
				c.Network = int(v)
			}
		default:
			return CoinInfo{}, formatErr(field, "unknown map key %d", key)
		}
	}
}

func readKeypath(r *cbor.Reader, name string) (Keypath, error) {
	field := "crypto-keypath " + name
	if err := expectTag(r, TagKeypath, field); err != nil {
		return Keypath{}, err
	}
	m, err := newMap(r, field, 3)
	if err != nil {
		return Keypath{}, err
	}
	p := Keypath{Depth: -1}
	seenComponents := false
	for {
		key, err := m.next()
		if err != nil {
			return Keypath{}, err
		}
		switch key {
		case -1:
			if !seenComponents {
				// Required by BCR-2020-007 (an early revision of
				// BCR-2020-010 left them out of one example).
				return Keypath{}, formatErr(field, "no components")
			}
			return p, nil
		case 1:
			seenComponents = true
			n, err := r.Array(2 * maxComponents)
			if err != nil {
				return Keypath{}, wrap(field+" components", err)
			}
			for i := 0; i < n; {
				s, used, err := readStep(r, field, len(p.Steps)+1)
				if err != nil {
					return Keypath{}, err
				}
				i += used
				if i > n {
					return Keypath{}, formatErr(field, "step %d runs past the end of the components", len(p.Steps)+1)
				}
				p.Steps = append(p.Steps, s)
			}
		case 2:
			fp, err := r.Uint()
			if err != nil || fp == 0 || fp > math.MaxUint32 {
				return Keypath{}, formatErrOr(field+" source-fingerprint", err, "not a non-zero 32-bit number")
			}
			p.SourceFingerprint = uint32(fp)
		case 3:
			d, err := r.Uint()
			if err != nil || d > math.MaxUint8 {
				return Keypath{}, formatErrOr(field+" depth", err, "above 255")
			}
			p.Depth = int(d)
		default:
			return Keypath{}, formatErr(field, "unknown map key %d", key)
		}
	}
}

// readStep reads one path component and returns how many array items it
// used (2, or 1 for a pair).
func readStep(r *cbor.Reader, field string, n int) (Step, int, error) {
	bad := func(err error, reason string) (Step, int, error) {
		return Step{}, 0, formatErrOr(field, err, "step "+strconv.Itoa(n)+": "+reason)
	}
	major, err := r.PeekMajor()
	if err != nil {
		return bad(err, "")
	}
	if major == cbor.MajorUint {
		i, err := r.Uint()
		if err != nil || i >= 1<<31 {
			return bad(err, "index at or above 2^31")
		}
		h, err := r.Bool()
		if err != nil {
			return bad(err, "")
		}
		return Step{Kind: StepIndex, Index: uint32(i), Hardened: h}, 2, nil
	}
	size, err := r.Array(4)
	if err != nil {
		return bad(err, "")
	}
	switch size {
	case 0: // child-wildcard-component: [], is-hardened
		h, err := r.Bool()
		if err != nil {
			return bad(err, "")
		}
		return Step{Kind: StepWildcard, Hardened: h}, 2, nil
	case 2: // child-range-component: [low, high], is-hardened
		lo, err1 := r.Uint()
		hi, err2 := r.Uint()
		if err1 != nil || err2 != nil || lo >= hi || hi >= 1<<31 {
			return bad(nil, "range is not low < high below 2^31")
		}
		h, err := r.Bool()
		if err != nil {
			return bad(err, "")
		}
		return Step{Kind: StepRange, Index: uint32(lo), High: uint32(hi), Hardened: h}, 2, nil
	case 4: // child-pair-component: [index, is-hardened, index, is-hardened]
		s := Step{Kind: StepPair}
		for j := 0; j < 2; j++ {
			i, err := r.Uint()
			if err != nil || i >= 1<<31 {
				return bad(err, "pair index at or above 2^31")
			}
			h, err := r.Bool()
			if err != nil {
				return bad(err, "")
			}
			if j == 0 {
				s.Index, s.Hardened = uint32(i), h
			} else {
				s.High, s.HardenedHigh = uint32(i), h
			}
		}
		return s, 1, nil
	}
	return bad(nil, "not an index, range, wildcard or pair")
}
