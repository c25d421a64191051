package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	//lint:ignore SA1019 BIP174's PSBT_IN_RIPEMD160 preimage field is defined with RIPEMD-160
	"golang.org/x/crypto/ripemd160"

	"github.com/coffer-custody/coffer/internal/txwire"
)

// DefaultMaxSize is the size limit Decode applies when given 0: 32 MiB.
const DefaultMaxSize = 32 << 20

// Encoding is the form the PSBT bytes were given in.
type Encoding uint8

// The three forms Decode reads.
const (
	EncodingBinary Encoding = iota + 1
	EncodingBase64
	EncodingHex
)

func (e Encoding) String() string {
	switch e {
	case EncodingBinary:
		return "binary"
	case EncodingBase64:
		return "base64"
	case EncodingHex:
		return "hex"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// Packet is a decoded, validated PSBT of version 0 or 2.
//
// It keeps every key-value pair as it was read (so Encode writes back what
// came in, plus the signatures added) and a typed view in btcd's psbt
// types, in version 0 form, built from the same fields: for a version 2
// PSBT the unsigned transaction is assembled from the per-input and
// per-output fields and the locktime is chosen as BIP370 says.
type Packet struct {
	version uint32
	enc     Encoding
	global  *kvMap
	inputs  []*kvMap
	outputs []*kvMap
	p       *psbt.Packet
}

// Version is the PSBT version: 0 (BIP174) or 2 (BIP370).
func (p *Packet) Version() int { return int(p.version) }

// Encoding is the form Decode read the PSBT in.
func (p *Packet) Encoding() Encoding { return p.enc }

// UnsignedTx returns a copy of the unsigned transaction (for version 2,
// the one assembled from the PSBTv2 fields).
func (p *Packet) UnsignedTx() *wire.MsgTx { return p.p.UnsignedTx.Copy() }

// NumInputs and NumOutputs count the transaction's inputs and outputs.
func (p *Packet) NumInputs() int { return len(p.inputs) }

// NumOutputs counts the transaction's outputs.
func (p *Packet) NumOutputs() int { return len(p.outputs) }

// Decode reads a PSBT given as binary, base64 or hex (surrounding
// whitespace allowed; base64 and hex may also be broken into lines), of
// version 0 or 2, and checks it against BIP174, BIP370 and BIP371 far
// more strictly than btcd's psbt parser does: minimal compact sizes,
// no duplicate keys, key data and value sizes of every known field, no
// bytes left over inside a value or after the last map, version 2 fields
// refused in version 0 and the reverse, PSBT_GLOBAL_VERSION checked,
// required fields present, preimages matching their hashes. Unknown
// fields are kept and written back by Encode.
//
// maxSize bounds the input in bytes; 0 or less means DefaultMaxSize.
//
// Errors: ErrTooLarge; ErrNotPSBT with what the input looked like; or a
// *DecodeError (errors.Is ErrMalformed) naming the map and the field.
func Decode(data []byte, maxSize int) (*Packet, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if len(data) > maxSize {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), maxSize)
	}
	raw, enc, err := unwrapEncoding(data)
	if err != nil {
		return nil, err
	}
	p, err := parse(raw)
	if err != nil {
		return nil, err
	}
	p.enc = enc
	return p, nil
}

// unwrapEncoding detects binary, base64 or hex and returns the binary PSBT.
// Binary input is copied, so the Packet never aliases the caller's slice.
func unwrapEncoding(data []byte) ([]byte, Encoding, error) {
	if bytes.HasPrefix(data, psbtMagic) {
		return bytes.Clone(data), EncodingBinary, nil
	}
	t := trimASCIISpace(data)
	switch {
	case len(t) == 0:
		return nil, 0, fmt.Errorf("%w: the input is empty", ErrNotPSBT)
	case bytes.HasPrefix(t, psbtMagic):
		return bytes.Clone(t), EncodingBinary, nil
	case hasPrefixFold(t, "70736274ff"):
		s := removeASCIISpace(t)
		raw := make([]byte, hex.DecodedLen(len(s)))
		if len(s)%2 != 0 {
			return nil, 0, fmt.Errorf("%w: hex input has an odd number of digits (%d)", ErrNotPSBT, len(s))
		}
		if _, err := hex.Decode(raw, s); err != nil {
			return nil, 0, fmt.Errorf("%w: hex input: %s", ErrNotPSBT, describeHexError(s))
		}
		return raw, EncodingHex, nil
	case bytes.HasPrefix(t, []byte("cHNidP8")):
		s := removeASCIISpace(t)
		raw := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Strict().Decode(raw, s)
		if err != nil {
			return nil, 0, fmt.Errorf("%w: base64 input does not decode: %s", ErrNotPSBT, describeBase64Error(err))
		}
		return raw[:n], EncodingBase64, nil
	}
	return nil, 0, fmt.Errorf("%w: %s", ErrNotPSBT, describeInput(t))
}

// describeInput says, in a few words, what a non-PSBT input looks like.
func describeInput(t []byte) string {
	head := t
	if len(head) > 16 {
		head = head[:16]
	}
	switch {
	case isHex(t) && (bytes.HasPrefix(t, []byte("01000000")) || bytes.HasPrefix(t, []byte("02000000"))):
		return fmt.Sprintf("it is hex that begins %q, which looks like a raw transaction, not a PSBT", head)
	case isHex(t):
		return fmt.Sprintf("it is hex but does not begin with the PSBT magic 70736274ff (begins %q)", head)
	case bytes.HasPrefix(t, []byte("AQAAAA")) || bytes.HasPrefix(t, []byte("AgAAAA")):
		return fmt.Sprintf("it is base64 of what looks like a raw transaction (begins %q), not a PSBT", head)
	case hasPrefixFold(t, "ur:"):
		return fmt.Sprintf("it is a UR text (begins %q); read it with the QR tools first", head)
	case t[0] == '{' || t[0] == '[':
		return fmt.Sprintf("it looks like JSON (begins %q)", head)
	case !utf8.Valid(t):
		return fmt.Sprintf("it is binary data that does not begin with the PSBT magic 70736274ff (begins %x)", head)
	}
	return fmt.Sprintf("expected binary, base64 (cHNidP8...) or hex (70736274ff...) but the input begins %q", head)
}

func describeHexError(s []byte) string {
	for i, c := range s {
		if !isHexDigit(c) {
			return fmt.Sprintf("character %d is %q, not a hex digit", i+1, c)
		}
	}
	return "not valid hex"
}

func describeBase64Error(err error) string {
	if e, ok := err.(base64.CorruptInputError); ok {
		return fmt.Sprintf("bad character or padding at position %d", int64(e)+1)
	}
	return "not valid base64"
}

func isHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isHex(t []byte) bool {
	for _, c := range t {
		if !isHexDigit(c) {
			return false
		}
	}
	return len(t) > 0
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimASCIISpace(b []byte) []byte {
	for len(b) > 0 && isASCIISpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isASCIISpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func removeASCIISpace(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if !isASCIISpace(c) {
			out = append(out, c)
		}
	}
	return out
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

// parse reads and checks a binary PSBT. raw is owned by the Packet.
func parse(raw []byte) (*Packet, error) {
	if !bytes.HasPrefix(raw, psbtMagic) {
		return nil, malformed(0, -1, "", "does not begin with the PSBT magic 70736274ff")
	}
	r := &reader{b: raw, pos: len(psbtMagic)}
	g, err := r.readMap()
	if err != nil {
		return nil, framing(SectionGlobal, -1, err)
	}
	p := &Packet{global: g}

	// The version decides which fields are allowed, so read it first.
	for _, rec := range g.recs {
		if rec.typ != globalVersion {
			continue
		}
		if err := noKeyData(rec); err != nil {
			return nil, malformed(SectionGlobal, -1, "PSBT_GLOBAL_VERSION", "%s", err)
		}
		if len(rec.value) != 4 {
			return nil, malformed(SectionGlobal, -1, "PSBT_GLOBAL_VERSION", "value is %d bytes, not 4", len(rec.value))
		}
		p.version = binary.LittleEndian.Uint32(rec.value)
		if p.version != 0 && p.version != 2 {
			return nil, malformed(SectionGlobal, -1, "PSBT_GLOBAL_VERSION", "version %d is not supported (0 and 2 are)", p.version)
		}
	}
	for _, rec := range g.recs {
		if err := checkGlobal(rec, p.version); err != nil {
			return nil, err
		}
	}

	var nIn, nOut uint64
	var tx *wire.MsgTx
	if p.version == 0 {
		v, ok := g.find(globalUnsignedTx)
		if !ok {
			return nil, malformed(SectionGlobal, -1, "PSBT_GLOBAL_UNSIGNED_TX", "missing (a version 0 PSBT requires it)")
		}
		tx, err = parseUnsignedTx(v)
		if err != nil {
			return nil, err
		}
		nIn, nOut = uint64(len(tx.TxIn)), uint64(len(tx.TxOut))
	} else {
		for _, req := range []uint64{globalTxVersion, globalInputCount, globalOutputCount} {
			if _, ok := g.find(req); !ok {
				return nil, malformed(SectionGlobal, -1, globalNames[req], "missing (a version 2 PSBT requires it)")
			}
		}
		v, _ := g.find(globalInputCount)
		nIn, _ = (&reader{b: v}).compactSize()
		v, _ = g.find(globalOutputCount)
		nOut, _ = (&reader{b: v}).compactSize()
	}
	// Every map takes at least its terminator byte: a count above the bytes
	// left is a lie, and must not size an allocation.
	if nIn+nOut > uint64(r.remaining()) || nIn > uint64(r.remaining()) {
		return nil, malformed(SectionGlobal, -1, "", "declares %d inputs and %d outputs but only %d bytes follow", nIn, nOut, r.remaining())
	}

	// Frame every map first, then check their fields (on all cores for
	// a large PSBT); the error reported is the first in map order.
	total := int(nIn + nOut)
	maps := make([]*kvMap, 0, total)
	var frameErr error
	for k := 0; k < total; k++ {
		m, err := r.readMap()
		if err != nil {
			if k < int(nIn) {
				frameErr = framing(SectionInput, k, err)
			} else {
				frameErr = framing(SectionOutput, k-int(nIn), err)
			}
			break
		}
		maps = append(maps, m)
	}
	errs := make([]error, len(maps))
	checkMap := func(k int) {
		if k < int(nIn) {
			errs[k] = checkInputMap(maps[k], k, p.version)
		} else {
			errs[k] = checkOutputMap(maps[k], k-int(nIn), p.version)
		}
	}
	parallelFor(len(maps), checkMap)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if frameErr != nil {
		return nil, frameErr
	}
	p.inputs = maps[:nIn:nIn]
	p.outputs = maps[nIn:]
	if r.remaining() != 0 {
		return nil, malformed(0, -1, "", "%d bytes follow the last output map", r.remaining())
	}

	if p.version == 2 {
		tx, err = p.buildV2Tx()
		if err != nil {
			return nil, err
		}
	}
	if err := p.buildView(tx); err != nil {
		return nil, err
	}
	return p, nil
}

func checkInputMap(m *kvMap, i int, version uint32) error {
	for _, rec := range m.recs {
		if err := checkInput(rec, i, version); err != nil {
			return err
		}
	}
	if version == 2 {
		for _, req := range []uint64{inPreviousTxid, inOutputIndex} {
			if !m.has(req) {
				return malformed(SectionInput, i, inputNames[req], "missing (a version 2 PSBT requires it)")
			}
		}
	}
	return nil
}

func checkOutputMap(m *kvMap, i int, version uint32) error {
	for _, rec := range m.recs {
		if err := checkOutput(rec, i, version); err != nil {
			return err
		}
	}
	if version == 2 {
		for _, req := range []uint64{outAmount, outScript} {
			if !m.has(req) {
				return malformed(SectionOutput, i, outputNames[req], "missing (a version 2 PSBT requires it)")
			}
		}
	}
	return nil
}

// parallelFor runs f(0..n-1) on all cores when n is large enough to pay
// for the goroutines, else in order on the calling goroutine.
func parallelFor(n int, f func(int)) {
	workers := min(runtime.NumCPU(), n/64)
	if workers <= 1 {
		for k := 0; k < n; k++ {
			f(k)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				f(k)
			}
		}()
	}
	wg.Wait()
}

// framing turns a reader error into a *DecodeError for the map it hit.
func framing(s Section, index int, err error) error {
	if d, ok := err.(duplicateKeyError); ok {
		return malformed(s, index, fieldName(s, d.typ), "duplicate key (%s)", d)
	}
	return malformed(s, index, "", "%s", err)
}

func noKeyData(rec record) error {
	if len(rec.kdata) != 0 {
		return fmt.Errorf("key data must be empty, found %d bytes", len(rec.kdata))
	}
	return nil
}

// checkVersion refuses a field of the other PSBT version.
func checkVersion(s Section, index int, typ uint64, version uint32) error {
	if version == 0 && v2Only(s, typ) {
		return malformed(s, index, fieldName(s, typ), "is a PSBT version 2 field, not allowed in a version 0 PSBT")
	}
	if version == 2 && v0Only(s, typ) {
		return malformed(s, index, fieldName(s, typ), "is not allowed in a version 2 PSBT")
	}
	return nil
}

func checkGlobal(rec record, version uint32) error {
	if err := checkVersion(SectionGlobal, -1, rec.typ, version); err != nil {
		return err
	}
	name := fieldName(SectionGlobal, rec.typ)
	bad := func(format string, args ...any) error {
		return malformed(SectionGlobal, -1, name, format, args...)
	}
	switch rec.typ {
	case globalUnsignedTx, globalTxVersion, globalFallbackLocktime, globalInputCount,
		globalOutputCount, globalTxModifiable, globalVersion:
		if err := noKeyData(rec); err != nil {
			return bad("%s", err)
		}
	}
	switch rec.typ {
	case globalXpub:
		if len(rec.kdata) != 78 {
			return bad("key data is %d bytes, not the 78 of a serialized extended public key", len(rec.kdata))
		}
		if _, err := btcec.ParsePubKey(rec.kdata[45:78]); err != nil {
			return bad("extended key does not hold a valid public key")
		}
		depth := int(rec.kdata[4])
		if err := checkOrigin(rec.value); err != nil {
			return bad("%s", err)
		}
		if steps := len(rec.value)/4 - 1; steps != depth {
			return bad("derivation path has %d steps but the extended key has depth %d", steps, depth)
		}
	case globalTxVersion, globalFallbackLocktime:
		if len(rec.value) != 4 {
			return bad("value is %d bytes, not 4", len(rec.value))
		}
	case globalInputCount, globalOutputCount:
		vr := &reader{b: rec.value}
		if _, err := vr.compactSize(); err != nil || vr.remaining() != 0 {
			return bad("value is not exactly one compact size integer")
		}
	case globalTxModifiable:
		if len(rec.value) != 1 {
			return bad("value is %d bytes, not 1", len(rec.value))
		}
	case globalProprietary:
		if err := checkProprietary(rec.kdata); err != nil {
			return bad("%s", err)
		}
	}
	return nil
}

func checkInput(rec record, i int, version uint32) error {
	if err := checkVersion(SectionInput, i, rec.typ, version); err != nil {
		return err
	}
	name := fieldName(SectionInput, rec.typ)
	bad := func(format string, args ...any) error {
		return malformed(SectionInput, i, name, format, args...)
	}
	switch rec.typ {
	case inNonWitnessUtxo, inWitnessUtxo, inSighashType, inRedeemScript, inWitnessScript,
		inFinalScriptSig, inFinalScriptWitness, inPORCommitment, inPreviousTxid, inOutputIndex,
		inSequence, inRequiredTimeLocktime, inRequiredHeightLocktim, inTapKeySig,
		inTapInternalKey, inTapMerkleRoot:
		if err := noKeyData(rec); err != nil {
			return bad("%s", err)
		}
	}
	switch rec.typ {
	case inNonWitnessUtxo:
		// parsed once, in buildView
	case inWitnessUtxo:
		if _, err := parseTxOut(rec.value); err != nil {
			return bad("%s", err)
		}
	case inPartialSig:
		if err := checkPubKey(rec.kdata); err != nil {
			return bad("%s", err)
		}
		if len(rec.value) == 0 {
			return bad("signature is empty")
		}
	case inSighashType, inOutputIndex, inSequence:
		if len(rec.value) != 4 {
			return bad("value is %d bytes, not 4", len(rec.value))
		}
	case inBip32Derivation:
		if err := checkPubKey(rec.kdata); err != nil {
			return bad("%s", err)
		}
		if err := checkOrigin(rec.value); err != nil {
			return bad("%s", err)
		}
	case inFinalScriptWitness:
		if _, err := parseWitness(rec.value); err != nil {
			return bad("%s", err)
		}
	case inRipemd160, inSha256, inHash160, inHash256:
		if err := checkPreimage(rec.typ, rec.kdata, rec.value); err != nil {
			return bad("%s", err)
		}
	case inPreviousTxid:
		if len(rec.value) != 32 {
			return bad("value is %d bytes, not 32", len(rec.value))
		}
	case inRequiredTimeLocktime:
		if len(rec.value) != 4 {
			return bad("value is %d bytes, not 4", len(rec.value))
		}
		if v := binary.LittleEndian.Uint32(rec.value); v < txscript.LockTimeThreshold {
			return bad("time %d is below 500000000, so it would be a block height", v)
		}
	case inRequiredHeightLocktim:
		if len(rec.value) != 4 {
			return bad("value is %d bytes, not 4", len(rec.value))
		}
		if v := binary.LittleEndian.Uint32(rec.value); v == 0 || v >= txscript.LockTimeThreshold {
			return bad("height %d is not between 1 and 499999999", v)
		}
	case inTapKeySig:
		if len(rec.value) != 64 && len(rec.value) != 65 {
			return bad("signature is %d bytes, not 64 or 65", len(rec.value))
		}
	case inTapScriptSig:
		if len(rec.kdata) != 64 {
			return bad("key data is %d bytes, not 64 (x-only public key and leaf hash)", len(rec.kdata))
		}
		if len(rec.value) != 64 && len(rec.value) != 65 {
			return bad("signature is %d bytes, not 64 or 65", len(rec.value))
		}
	case inTapLeafScript:
		n := len(rec.kdata)
		if n < 33 || n > 33+32*128 || (n-33)%32 != 0 {
			return bad("control block is %d bytes, not 33 + 32m with m at most 128", n)
		}
		if len(rec.value) == 0 {
			return bad("value is empty; it must hold the script and its leaf version")
		}
	case inTapBip32Derivation:
		if len(rec.kdata) != 32 {
			return bad("key data is %d bytes, not the 32 of an x-only public key", len(rec.kdata))
		}
		if _, err := parseTapOrigin(rec.value); err != nil {
			return bad("%s", err)
		}
	case inTapInternalKey:
		if len(rec.value) != 32 {
			return bad("value is %d bytes, not the 32 of an x-only public key", len(rec.value))
		}
	case inTapMerkleRoot:
		if len(rec.value) != 32 {
			return bad("value is %d bytes, not 32", len(rec.value))
		}
	case inMusig2Participants:
		if err := checkMusigParticipants(rec.kdata, rec.value); err != nil {
			return bad("%s", err)
		}
	case inMusig2PubNonce, inMusig2PartialSig:
		if len(rec.kdata) != 66 && len(rec.kdata) != 98 {
			return bad("key data is %d bytes, not 66 or 98", len(rec.kdata))
		}
		if err := checkCompressed(rec.kdata[:33]); err != nil {
			return bad("participant key: %s", err)
		}
		if err := checkCompressed(rec.kdata[33:66]); err != nil {
			return bad("aggregate key: %s", err)
		}
		want := 66
		if rec.typ == inMusig2PartialSig {
			want = 32
		}
		if len(rec.value) != want {
			return bad("value is %d bytes, not %d", len(rec.value), want)
		}
	case inProprietary:
		if err := checkProprietary(rec.kdata); err != nil {
			return bad("%s", err)
		}
	}
	return nil
}

func checkOutput(rec record, i int, version uint32) error {
	if err := checkVersion(SectionOutput, i, rec.typ, version); err != nil {
		return err
	}
	name := fieldName(SectionOutput, rec.typ)
	bad := func(format string, args ...any) error {
		return malformed(SectionOutput, i, name, format, args...)
	}
	switch rec.typ {
	case outRedeemScript, outWitnessScript, outAmount, outScript, outTapInternalKey, outTapTree:
		if err := noKeyData(rec); err != nil {
			return bad("%s", err)
		}
	}
	switch rec.typ {
	case outBip32Derivation:
		if err := checkPubKey(rec.kdata); err != nil {
			return bad("%s", err)
		}
		if err := checkOrigin(rec.value); err != nil {
			return bad("%s", err)
		}
	case outAmount:
		if len(rec.value) != 8 {
			return bad("value is %d bytes, not 8", len(rec.value))
		}
		if v := int64(binary.LittleEndian.Uint64(rec.value)); v < 0 {
			return bad("amount %d is negative", v)
		}
	case outTapInternalKey:
		if len(rec.value) != 32 {
			return bad("value is %d bytes, not the 32 of an x-only public key", len(rec.value))
		}
	case outTapTree:
		if _, err := parseTapTree(rec.value); err != nil {
			return bad("%s", err)
		}
	case outTapBip32Derivation:
		if len(rec.kdata) != 32 {
			return bad("key data is %d bytes, not the 32 of an x-only public key", len(rec.kdata))
		}
		if _, err := parseTapOrigin(rec.value); err != nil {
			return bad("%s", err)
		}
	case outMusig2Participants:
		if err := checkMusigParticipants(rec.kdata, rec.value); err != nil {
			return bad("%s", err)
		}
	case outProprietary:
		if err := checkProprietary(rec.kdata); err != nil {
			return bad("%s", err)
		}
	}
	return nil
}

// checkPubKey accepts a 33-byte compressed or 65-byte uncompressed point.
func checkPubKey(b []byte) error {
	if len(b) != 33 && len(b) != 65 {
		return fmt.Errorf("public key in the key data is %d bytes, not 33 or 65", len(b))
	}
	if _, err := btcec.ParsePubKey(b); err != nil {
		return fmt.Errorf("public key %x is not a valid secp256k1 point", b)
	}
	return nil
}

func checkCompressed(b []byte) error {
	if len(b) != 33 || (b[0] != 2 && b[0] != 3) {
		return fmt.Errorf("%x is not a compressed public key", b)
	}
	if _, err := btcec.ParsePubKey(b); err != nil {
		return fmt.Errorf("%x is not a valid secp256k1 point", b)
	}
	return nil
}

func checkMusigParticipants(kdata, value []byte) error {
	if len(kdata) != 33 {
		return fmt.Errorf("key data is %d bytes, not the 33 of an aggregate public key", len(kdata))
	}
	if err := checkCompressed(kdata); err != nil {
		return fmt.Errorf("aggregate key: %w", err)
	}
	if len(value) == 0 || len(value)%33 != 0 {
		return fmt.Errorf("value is %d bytes, not a non-zero multiple of 33", len(value))
	}
	for j := 0; j < len(value); j += 33 {
		if err := checkCompressed(value[j : j+33]); err != nil {
			return fmt.Errorf("participant key %d: %w", j/33, err)
		}
	}
	return nil
}

// checkOrigin checks <4-byte fingerprint> <32-bit LE step>*.
func checkOrigin(v []byte) error {
	if len(v) < 4 || len(v)%4 != 0 {
		return fmt.Errorf("key origin is %d bytes, not a 4-byte fingerprint and 4 bytes per path step", len(v))
	}
	return nil
}

// tapOrigin is a parsed PSBT_*_TAP_BIP32_DERIVATION value.
type tapOrigin struct {
	leafHashes  [][]byte
	fingerprint uint32 // little-endian read, as btcd's psbt package does
	path        []uint32
}

func parseTapOrigin(v []byte) (*tapOrigin, error) {
	r := &reader{b: v}
	n, err := r.compactSize()
	if err != nil {
		return nil, fmt.Errorf("leaf hash count: %s", err)
	}
	if n > uint64(r.remaining())/32 {
		return nil, fmt.Errorf("declares %d leaf hashes but only %d bytes follow", n, r.remaining())
	}
	o := &tapOrigin{leafHashes: make([][]byte, n)}
	for j := range o.leafHashes {
		o.leafHashes[j], _ = r.bytes(32, "leaf hash")
	}
	rest := v[r.pos:]
	if err := checkOrigin(rest); err != nil {
		return nil, err
	}
	o.fingerprint = binary.LittleEndian.Uint32(rest)
	o.path = readPath(rest[4:])
	return o, nil
}

func readPath(b []byte) []uint32 {
	path := make([]uint32, len(b)/4)
	for j := range path {
		path[j] = binary.LittleEndian.Uint32(b[4*j:])
	}
	return path
}

// tapLeaf is one leaf of a PSBT_OUT_TAP_TREE.
type tapLeaf struct {
	depth   uint8
	version uint8
	script  []byte
}

func parseTapTree(v []byte) ([]tapLeaf, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("taproot tree is empty")
	}
	r := &reader{b: v}
	var leaves []tapLeaf
	for r.remaining() > 0 {
		if r.remaining() < 2 {
			return nil, fmt.Errorf("taproot tree ends inside a leaf")
		}
		depth, ver := r.b[r.pos], r.b[r.pos+1]
		r.pos += 2
		if depth > 128 {
			return nil, fmt.Errorf("leaf depth %d is over 128", depth)
		}
		if ver&^txscript.TaprootLeafMask != 0 {
			return nil, fmt.Errorf("leaf version 0x%02x is odd", ver)
		}
		n, err := r.compactSize()
		if err != nil {
			return nil, fmt.Errorf("leaf script length: %s", err)
		}
		s, err := r.bytes(n, "leaf script")
		if err != nil {
			return nil, err
		}
		leaves = append(leaves, tapLeaf{depth: depth, version: ver, script: s})
	}
	return leaves, nil
}

func checkProprietary(kdata []byte) error {
	r := &reader{b: kdata}
	n, err := r.compactSize()
	if err != nil {
		return fmt.Errorf("identifier length: %s", err)
	}
	if _, err := r.bytes(n, "identifier"); err != nil {
		return err
	}
	if _, err := r.compactSize(); err != nil {
		return fmt.Errorf("subtype: %s", err)
	}
	return nil
}

func checkPreimage(typ uint64, kdata, value []byte) error {
	var sum []byte
	switch typ {
	case inRipemd160:
		h := ripemd160.New()
		h.Write(value)
		sum = h.Sum(nil)
	case inSha256:
		s := sha256.Sum256(value)
		sum = s[:]
	case inHash160:
		s := sha256.Sum256(value)
		h := ripemd160.New()
		h.Write(s[:])
		sum = h.Sum(nil)
	case inHash256:
		s := chainhash.DoubleHashB(value)
		sum = s
	}
	if len(kdata) != len(sum) {
		return fmt.Errorf("key data is %d bytes, not the %d of the hash", len(kdata), len(sum))
	}
	if !bytes.Equal(kdata, sum) {
		return fmt.Errorf("preimage does not hash to %x", kdata)
	}
	return nil
}

// parseUnsignedTx reads PSBT_GLOBAL_UNSIGNED_TX: legacy serialization, no
// scriptSig, nothing left over.
func parseUnsignedTx(v []byte) (*wire.MsgTx, error) {
	const name = "PSBT_GLOBAL_UNSIGNED_TX"
	tx, err := txwire.DecodeNoWitness(v)
	if errors.Is(err, txwire.ErrTrailing) {
		return nil, malformed(SectionGlobal, -1, name, "%v (witness serialization is not allowed here)", err)
	}
	if err != nil {
		return nil, malformed(SectionGlobal, -1, name, "transaction does not parse: %v", err)
	}
	for i, in := range tx.TxIn {
		if len(in.SignatureScript) != 0 {
			return nil, malformed(SectionGlobal, -1, name, "input %d has a non-empty scriptSig; the transaction must be unsigned", i)
		}
	}
	return tx, nil
}

// parseFullTx reads a complete transaction (witness serialization allowed)
// and refuses bytes left over.
func parseFullTx(v []byte) (*wire.MsgTx, error) {
	tx, err := txwire.Decode(v)
	if errors.Is(err, txwire.ErrTrailing) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("transaction does not parse: %v", err)
	}
	return tx, nil
}

// parseTxOut reads <8-byte amount> <compact size> <script>, exactly.
func parseTxOut(v []byte) (*wire.TxOut, error) {
	if len(v) < 9 {
		return nil, fmt.Errorf("value is %d bytes, too short for an amount and a script", len(v))
	}
	amt := int64(binary.LittleEndian.Uint64(v))
	r := &reader{b: v, pos: 8}
	n, err := r.compactSize()
	if err != nil {
		return nil, fmt.Errorf("script length: %s", err)
	}
	if n != uint64(r.remaining()) {
		return nil, fmt.Errorf("script length says %d bytes but %d follow", n, r.remaining())
	}
	return wire.NewTxOut(amt, bytes.Clone(v[r.pos:])), nil
}

// parseWitness reads a serialized witness stack, exactly.
func parseWitness(v []byte) (wire.TxWitness, error) {
	r := &reader{b: v}
	n, err := r.compactSize()
	if err != nil {
		return nil, fmt.Errorf("witness item count: %s", err)
	}
	if n > uint64(r.remaining()) {
		return nil, fmt.Errorf("declares %d witness items but only %d bytes follow", n, r.remaining())
	}
	w := make(wire.TxWitness, n)
	for j := range w {
		l, err := r.compactSize()
		if err != nil {
			return nil, fmt.Errorf("witness item %d length: %s", j, err)
		}
		w[j], err = r.bytes(l, fmt.Sprintf("witness item %d", j))
		if err != nil {
			return nil, err
		}
	}
	if r.remaining() != 0 {
		return nil, fmt.Errorf("%d bytes follow the witness stack", r.remaining())
	}
	return w, nil
}

// buildV2Tx assembles the unsigned transaction from the PSBTv2 fields.
func (p *Packet) buildV2Tx() (*wire.MsgTx, error) {
	v, _ := p.global.find(globalTxVersion)
	tx := &wire.MsgTx{Version: int32(binary.LittleEndian.Uint32(v))}
	for i, m := range p.inputs {
		txid, _ := m.find(inPreviousTxid)
		idx, _ := m.find(inOutputIndex)
		var h chainhash.Hash
		copy(h[:], txid)
		in := wire.NewTxIn(wire.NewOutPoint(&h, binary.LittleEndian.Uint32(idx)), nil, nil)
		in.Sequence = wire.MaxTxInSequenceNum
		if s, ok := m.find(inSequence); ok {
			in.Sequence = binary.LittleEndian.Uint32(s)
		}
		_ = i
		tx.AddTxIn(in)
	}
	for _, m := range p.outputs {
		a, _ := m.find(outAmount)
		s, _ := m.find(outScript)
		tx.AddTxOut(wire.NewTxOut(int64(binary.LittleEndian.Uint64(a)), bytes.Clone(s)))
	}
	lt, err := p.v2LockTime()
	if err != nil {
		return nil, err
	}
	tx.LockTime = lt
	return tx, nil
}

// v2LockTime chooses the locktime as BIP370 "Determining Lock Time" says.
func (p *Packet) v2LockTime() (uint32, error) {
	var any, heightOK, timeOK = false, true, true
	var maxH, maxT uint32
	for _, m := range p.inputs {
		h, hok := m.find(inRequiredHeightLocktim)
		t, tok := m.find(inRequiredTimeLocktime)
		if hok || tok {
			any = true
		}
		if tok && !hok {
			heightOK = false
		}
		if hok && !tok {
			timeOK = false
		}
		if hok {
			maxH = max(maxH, binary.LittleEndian.Uint32(h))
		}
		if tok {
			maxT = max(maxT, binary.LittleEndian.Uint32(t))
		}
	}
	switch {
	case !any:
		if v, ok := p.global.find(globalFallbackLocktime); ok {
			return binary.LittleEndian.Uint32(v), nil
		}
		return 0, nil
	case heightOK:
		return maxH, nil
	case timeOK:
		return maxT, nil
	}
	return 0, malformed(SectionGlobal, -1, "", "the locktime cannot be determined: some inputs require a block height and others a time (BIP370)")
}

// buildView fills the btcd psbt.Packet from the checked records.
func (p *Packet) buildView(tx *wire.MsgTx) error {
	pk := &psbt.Packet{
		UnsignedTx: tx,
		Inputs:     make([]psbt.PInput, len(p.inputs)),
		Outputs:    make([]psbt.POutput, len(p.outputs)),
	}
	for _, rec := range p.global.recs {
		if rec.typ == globalXpub {
			pk.XPubs = append(pk.XPubs, psbt.XPub{
				ExtendedKey:          rec.kdata,
				MasterKeyFingerprint: binary.LittleEndian.Uint32(rec.value),
				Bip32Path:            readPath(rec.value[4:]),
			})
		}
	}
	for i, m := range p.inputs {
		in := &pk.Inputs[i]
		for _, rec := range m.recs {
			switch rec.typ {
			case inNonWitnessUtxo:
				tx, err := parseFullTx(rec.value)
				if err != nil {
					return malformed(SectionInput, i, "PSBT_IN_NON_WITNESS_UTXO", "%s", err)
				}
				in.NonWitnessUtxo = tx
			case inWitnessUtxo:
				in.WitnessUtxo, _ = parseTxOut(rec.value)
			case inPartialSig:
				in.PartialSigs = append(in.PartialSigs, &psbt.PartialSig{PubKey: rec.kdata, Signature: rec.value})
			case inSighashType:
				in.SighashType = txscript.SigHashType(binary.LittleEndian.Uint32(rec.value))
			case inRedeemScript:
				in.RedeemScript = rec.value
			case inWitnessScript:
				in.WitnessScript = rec.value
			case inBip32Derivation:
				in.Bip32Derivation = append(in.Bip32Derivation, &psbt.Bip32Derivation{
					PubKey:               rec.kdata,
					MasterKeyFingerprint: binary.LittleEndian.Uint32(rec.value),
					Bip32Path:            readPath(rec.value[4:]),
				})
			case inFinalScriptSig:
				in.FinalScriptSig = rec.value
			case inFinalScriptWitness:
				in.FinalScriptWitness = rec.value
			case inTapKeySig:
				in.TaprootKeySpendSig = rec.value
			case inTapScriptSig:
				s := &psbt.TaprootScriptSpendSig{XOnlyPubKey: rec.kdata[:32], LeafHash: rec.kdata[32:], Signature: rec.value[:64]}
				if len(rec.value) == 65 {
					s.SigHash = txscript.SigHashType(rec.value[64])
				}
				in.TaprootScriptSpendSig = append(in.TaprootScriptSpendSig, s)
			case inTapLeafScript:
				in.TaprootLeafScript = append(in.TaprootLeafScript, &psbt.TaprootTapLeafScript{
					ControlBlock: rec.kdata,
					Script:       rec.value[:len(rec.value)-1],
					LeafVersion:  txscript.TapscriptLeafVersion(rec.value[len(rec.value)-1]),
				})
			case inTapBip32Derivation:
				o, _ := parseTapOrigin(rec.value)
				in.TaprootBip32Derivation = append(in.TaprootBip32Derivation, &psbt.TaprootBip32Derivation{
					XOnlyPubKey:          rec.kdata,
					LeafHashes:           o.leafHashes,
					MasterKeyFingerprint: o.fingerprint,
					Bip32Path:            o.path,
				})
			case inTapInternalKey:
				in.TaprootInternalKey = rec.value
			case inTapMerkleRoot:
				in.TaprootMerkleRoot = rec.value
			}
		}
	}
	for i, m := range p.outputs {
		out := &pk.Outputs[i]
		for _, rec := range m.recs {
			switch rec.typ {
			case outRedeemScript:
				out.RedeemScript = rec.value
			case outWitnessScript:
				out.WitnessScript = rec.value
			case outBip32Derivation:
				out.Bip32Derivation = append(out.Bip32Derivation, &psbt.Bip32Derivation{
					PubKey:               rec.kdata,
					MasterKeyFingerprint: binary.LittleEndian.Uint32(rec.value),
					Bip32Path:            readPath(rec.value[4:]),
				})
			case outTapInternalKey:
				out.TaprootInternalKey = rec.value
			case outTapTree:
				out.TaprootTapTree = rec.value
			case outTapBip32Derivation:
				o, _ := parseTapOrigin(rec.value)
				out.TaprootBip32Derivation = append(out.TaprootBip32Derivation, &psbt.TaprootBip32Derivation{
					XOnlyPubKey:          rec.kdata,
					LeafHashes:           o.leafHashes,
					MasterKeyFingerprint: o.fingerprint,
					Bip32Path:            o.path,
				})
			}
		}
	}
	p.p = pk
	return nil
}
