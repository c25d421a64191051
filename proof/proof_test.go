package proof

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/wallet"
)

// vectorFile is the layout of bitcoin/bips bip-0322/*-test-vectors.json.
type vectorFile struct {
	TxHashes []struct {
		Message     string `json:"message"`
		Address     string `json:"address"`
		MessageHash string `json:"message_hash"`
		ToSpend     string `json:"to_spend_tx_hash"`
		ToSign      string `json:"to_sign_tx_hash"`
	} `json:"tx_hashes"`
	Simple       []signVector `json:"simple"`
	Full         []signVector `json:"full"`
	ProofOfFunds []signVector `json:"proof_of_funds"`
	Error        []struct {
		Description string `json:"description"`
		Message     string `json:"message"`
		Address     string `json:"address"`
		Signature   string `json:"signature"`
		ErrorSubstr string `json:"error_substr"`
	} `json:"error"`
}

type signVector struct {
	Message     string   `json:"message"`
	PrivateKeys []string `json:"private_keys"`
	Address     string   `json:"address"`
	Type        string   `json:"type"`
	Signatures  []string `json:"bip322_signatures"`
	TxVersion   int32    `json:"tx_version"`
	LockTime    uint32   `json:"lock_time"`
	Sequence    uint32   `json:"sequence"`
}

func loadVectors(t testing.TB, name string) *vectorFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "bip322", name))
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &v
}

func mustAddress(t testing.TB, s string) btcutil.Address {
	t.Helper()
	a, _, err := ParseAddress(s)
	if err != nil {
		t.Fatalf("address %s: %v", s, err)
	}
	return a
}

func TestMessageHashAndTransactions(t *testing.T) {
	v := loadVectors(t, "basic-test-vectors.json")
	if len(v.TxHashes) != 3 {
		t.Fatalf("%d tx_hashes vectors, want 3", len(v.TxHashes))
	}
	for _, tc := range v.TxHashes {
		h := MessageHash([]byte(tc.Message))
		if got := hex.EncodeToString(h[:]); got != tc.MessageHash {
			t.Errorf("message %q: hash %s, want %s", tc.Message, got, tc.MessageHash)
		}
		spk, err := txscript.PayToAddrScript(mustAddress(t, tc.Address))
		if err != nil {
			t.Fatal(err)
		}
		toSpend := ToSpend(spk, []byte(tc.Message))
		if got := toSpend.TxHash().String(); got != tc.ToSpend {
			t.Errorf("message %q: to_spend %s, want %s", tc.Message, got, tc.ToSpend)
		}
		if got := ToSign(toSpend).TxHash().String(); got != tc.ToSign {
			t.Errorf("message %q: to_sign %s, want %s", tc.Message, got, tc.ToSign)
		}
	}
}

// TestVerifyVectors verifies every valid signature of both files, simple
// and full.
func TestVerifyVectors(t *testing.T) {
	n := 0
	for _, file := range []string{"basic-test-vectors.json", "generated-test-vectors.json"} {
		v := loadVectors(t, file)
		for _, group := range []struct {
			vs   []signVector
			want Format
		}{{v.Simple, FormatSimple}, {v.Full, FormatFull}} {
			for _, tc := range group.vs {
				for _, sig := range tc.Signatures {
					r, err := VerifyString(tc.Address, []byte(tc.Message), sig)
					if err != nil {
						t.Errorf("%s %s %q: %v", file, tc.Type, tc.Message, err)
						continue
					}
					n++
					if r.Format != group.want {
						t.Errorf("%s %s: format %s, want %s", file, tc.Type, r.Format, group.want)
					}
					prefixed := strings.HasPrefix(sig, "smp") || strings.HasPrefix(sig, "ful")
					if r.Prefixed != prefixed {
						t.Errorf("%s %s: prefixed %v, want %v", file, tc.Type, r.Prefixed, prefixed)
					}
					if r.LockTime != tc.LockTime || r.Sequence != tc.Sequence {
						t.Errorf("%s %s: valid at time %d age %d, want %d %d", file, tc.Type, r.LockTime, r.Sequence, tc.LockTime, tc.Sequence)
					}
				}
			}
		}
	}
	if n != 20 {
		t.Errorf("verified %d vector signatures, want 20", n)
	}
}

// TestSignVectors re-makes the vectors of single-key addresses: ECDSA is
// RFC6979 and BIP340 uses btcec's deterministic nonce without Rand, as
// btcd's generator did, so the bytes must be equal.
func TestSignVectors(t *testing.T) {
	signed := 0
	for _, file := range []string{"basic-test-vectors.json", "generated-test-vectors.json"} {
		v := loadVectors(t, file)
		for _, group := range []struct {
			vs     []signVector
			format Format
		}{{v.Simple, FormatSimple}, {v.Full, FormatFull}} {
			for _, tc := range group.vs {
				if len(tc.PrivateKeys) != 1 || strings.Contains(tc.Type, "time-lock") {
					continue
				}
				wif, err := btcutil.DecodeWIF(tc.PrivateKeys[0])
				if err != nil {
					t.Fatal(err)
				}
				addr := mustAddress(t, tc.Address)
				opts := SignOptions{Format: group.format, Version: tc.TxVersion, LockTime: tc.LockTime, Sequence: tc.Sequence}
				opts.NoPrefix = !strings.HasPrefix(tc.Signatures[0], "smp") && !strings.HasPrefix(tc.Signatures[0], "ful")
				got, err := Sign(wif.PrivKey, addr, []byte(tc.Message), opts)
				if err != nil {
					t.Errorf("%s %s %q: %v", file, tc.Type, tc.Message, err)
					continue
				}
				if !slices.Contains(tc.Signatures, got) {
					t.Errorf("%s %s %q: signed\n%s\nwant one of %q", file, tc.Type, tc.Message, got, tc.Signatures)
				}
				signed++
			}
		}
	}
	if signed != 9 {
		t.Errorf("re-made %d vector signatures, want 9", signed)
	}
}

func TestErrorVectors(t *testing.T) {
	n := 0
	for _, file := range []string{"basic-test-vectors.json", "generated-test-vectors.json"} {
		v := loadVectors(t, file)
		for _, tc := range v.Error {
			addr, _, err := ParseAddress(tc.Address)
			if err != nil {
				t.Fatalf("%s: %v", tc.Description, err)
			}
			_, err = Verify(addr, []byte(tc.Message), tc.Signature)
			if err == nil {
				t.Errorf("%s: %s: verified", file, tc.Description)
				continue
			}
			n++
			switch tc.ErrorSubstr {
			case "invalid signature":
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "invalid signature") {
					t.Errorf("%s: error %q, want ErrInvalid saying invalid signature", tc.Description, err)
				}
			default: // undecodable: base64, empty, wrong prefix
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("%s: error %q, want ErrMalformed", tc.Description, err)
				}
			}
		}
		for _, tc := range v.ProofOfFunds {
			for _, sig := range tc.Signatures {
				if _, err := VerifyString(tc.Address, []byte(tc.Message), sig); !errors.Is(err, ErrUnsupported) {
					t.Errorf("proof of funds %s: error %v, want ErrUnsupported", tc.Type, err)
				}
				n++
			}
		}
	}
	if n != 39 {
		t.Errorf("%d error and proof-of-funds vectors, want 39", n)
	}
}

// TestLegacyCoreVector re-makes and verifies Bitcoin Core's
// signmessagewithprivkey vector; Core refuses it for other address types.
func TestLegacyCoreVector(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "bip322", "legacy-core-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Valid []struct {
			PrivateKey string `json:"private_key"`
			Address    string `json:"address"`
			Message    string `json:"message"`
			Signature  string `json:"signature"`
		} `json:"valid"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Valid) != 1 {
		t.Fatalf("%d legacy vectors, want 1", len(f.Valid))
	}
	for _, tc := range f.Valid {
		wif, err := btcutil.DecodeWIF(tc.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		addr := mustAddress(t, tc.Address)
		got, err := Sign(wif.PrivKey, addr, []byte(tc.Message), SignOptions{Format: FormatLegacy})
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.Signature {
			t.Errorf("signed %s, want %s", got, tc.Signature)
		}
		r, err := Verify(addr, []byte(tc.Message), tc.Signature)
		if err != nil || r.Format != FormatLegacy {
			t.Fatalf("verify: %v %+v", err, r)
		}
		if _, err := Verify(addr, []byte(tc.Message+"."), tc.Signature); !errors.Is(err, ErrInvalid) {
			t.Errorf("another message: %v, want ErrInvalid", err)
		}
		// The same key's segwit addresses: a P2PKH header does not claim them
		// under BIP137, but Electrum's convention (31-34) is accepted.
		pub := wif.PrivKey.PubKey()
		wpkh, _ := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), wallet.Testnet.Params())
		if _, err := Verify(wpkh, []byte(tc.Message), tc.Signature); err != nil {
			t.Errorf("electrum-style header for P2WPKH: %v", err)
		}
	}
}

// testKey is the key at m/84h/1h/0h/0/0 of the BIP84 test mnemonic on
// regtest, made from its seed.
func testKey(t testing.TB, path string) *btcec.PrivateKey {
	t.Helper()
	seed, _ := hex.DecodeString("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4")
	master, err := wallet.MasterFromSeed(seed, wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	p, err := wallet.ParsePath(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := wallet.DerivePath(master, p)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := k.ECPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func addressOf(t testing.TB, st wallet.ScriptType, key *btcec.PrivateKey) btcutil.Address {
	t.Helper()
	s, err := wallet.SingleKeyScripts(st, key.PubKey(), wallet.KeyOrigin{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := wallet.AddressFromScript(s.ScriptPubKey, wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSignRoundTrip signs for each script type and format, verifies, and
// checks that another message, another address or a flipped bit fails.
func TestSignRoundTrip(t *testing.T) {
	cases := []struct {
		st     wallet.ScriptType
		path   string
		format Format
		want   Format
		prefix string
		header byte // legacy: first header of the range
	}{
		{wallet.ScriptWPKH, "m/84h/1h/0h/0/0", 0, FormatSimple, "smp", 0},
		{wallet.ScriptWPKH, "m/84h/1h/0h/0/0", FormatFull, FormatFull, "ful", 0},
		{wallet.ScriptWPKH, "m/84h/1h/0h/0/0", FormatLegacy, FormatLegacy, "", 39},
		{wallet.ScriptSHWPKH, "m/49h/1h/0h/0/0", 0, FormatFull, "ful", 0},
		{wallet.ScriptSHWPKH, "m/49h/1h/0h/0/0", FormatLegacy, FormatLegacy, "", 35},
		{wallet.ScriptTR, "m/86h/1h/0h/0/0", 0, FormatSimple, "smp", 0},
		{wallet.ScriptTR, "m/86h/1h/0h/0/0", FormatFull, FormatFull, "ful", 0},
	}
	other := addressOf(t, wallet.ScriptWPKH, testKey(t, "m/84h/1h/0h/0/1"))
	for _, tc := range cases {
		key := testKey(t, tc.path)
		addr := addressOf(t, tc.st, key)
		msg := []byte("coffer audit challenge 2026-08-20 #7")
		sig, err := Sign(key, addr, msg, SignOptions{Format: tc.format, Rand: bytes.NewReader(make([]byte, 32))})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.st, tc.format, err)
		}
		if !strings.HasPrefix(sig, tc.prefix) {
			t.Errorf("%s %s: %q lacks prefix %q", tc.st, tc.format, sig, tc.prefix)
		}
		r, err := Verify(addr, msg, sig)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.st, tc.format, err)
		}
		if r.Format != tc.want {
			t.Errorf("%s: format %s, want %s", tc.st, r.Format, tc.want)
		}
		if tc.header != 0 {
			raw, _ := base64.StdEncoding.DecodeString(sig)
			if raw[0] < tc.header || raw[0] > tc.header+3 {
				t.Errorf("%s legacy: header %d, want %d-%d", tc.st, raw[0], tc.header, tc.header+3)
			}
		}
		if _, err := Verify(addr, append(msg, '!'), sig); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s %s: another message: %v, want ErrInvalid", tc.st, tc.format, err)
		}
		if _, err := Verify(other, msg, sig); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s %s: another address: %v, want ErrInvalid", tc.st, tc.format, err)
		}
		// Without the prefix the pre-1.0.0 reading finds the same format.
		unprefixed, err := Sign(key, addr, msg, SignOptions{Format: tc.format, NoPrefix: true})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := Verify(addr, msg, unprefixed); err != nil || r.Format != tc.want || r.Prefixed {
			t.Errorf("%s %s unprefixed: %+v %v", tc.st, tc.format, r, err)
		}
	}
}

func TestSignRefusals(t *testing.T) {
	key := testKey(t, "m/84h/1h/0h/0/0")
	wpkh := addressOf(t, wallet.ScriptWPKH, key)
	sh := addressOf(t, wallet.ScriptSHWPKH, key)
	tr := addressOf(t, wallet.ScriptTR, key)
	otherKey := testKey(t, "m/84h/1h/0h/0/1")
	wsh, _ := btcutil.NewAddressWitnessScriptHash(make([]byte, 32), wallet.Regtest.Params())
	cases := []struct {
		name string
		key  *btcec.PrivateKey
		addr btcutil.Address
		opts SignOptions
		want error
	}{
		{"wrong key", otherKey, wpkh, SignOptions{}, ErrWrongKey},
		{"wrong key taproot", otherKey, tr, SignOptions{}, ErrWrongKey},
		{"simple for p2sh", key, sh, SignOptions{Format: FormatSimple}, ErrUnsupported},
		{"legacy for taproot", key, tr, SignOptions{Format: FormatLegacy}, ErrUnsupported},
		{"p2wsh", key, wsh, SignOptions{}, ErrUnsupported},
		{"simple with lock time", key, wpkh, SignOptions{Format: FormatSimple, LockTime: 5}, ErrUnsupported},
		{"version 1", key, wpkh, SignOptions{Format: FormatFull, Version: 1}, ErrUnsupported},
	}
	for _, tc := range cases {
		if _, err := Sign(tc.key, tc.addr, []byte("m"), tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestVerifyRules holds BIP-322's rules that the engine alone does not:
// SIGHASH_ALL only, one input, one OP_RETURN output, version 0 or 2.
func TestVerifyRules(t *testing.T) {
	key := testKey(t, "m/84h/1h/0h/0/0")
	addr := addressOf(t, wallet.ScriptWPKH, key)
	msg := []byte("rules")
	spk, _ := txscript.PayToAddrScript(addr)
	signWith := func(mutate func(tx *wire.MsgTx), ht txscript.SigHashType) string {
		tx := ToSign(ToSpend(spk, msg))
		mutate(tx)
		fetcher := txscript.NewCannedPrevOutputFetcher(spk, 0)
		sig, err := txscript.RawTxInWitnessSignature(tx, txscript.NewTxSigHashes(tx, fetcher), 0, 0, spk, ht, key)
		if err != nil {
			t.Fatal(err)
		}
		tx.TxIn[0].Witness = wire.TxWitness{sig, key.PubKey().SerializeCompressed()}
		return "ful" + base64.StdEncoding.EncodeToString(encodeTx(tx))
	}
	none := func(*wire.MsgTx) {}
	if _, err := Verify(addr, msg, signWith(none, txscript.SigHashAll)); err != nil {
		t.Fatalf("control: %v", err)
	}
	cases := []struct {
		name   string
		sig    string
		want   error
		substr string
	}{
		{"sighash none", signWith(none, txscript.SigHashNone), ErrInvalid, "sighash type 0x02"},
		{"two outputs", signWith(func(tx *wire.MsgTx) { tx.AddTxOut(wire.NewTxOut(0, []byte{txscript.OP_RETURN})) }, txscript.SigHashAll), ErrInvalid, "2 outputs"},
		{"paying output", signWith(func(tx *wire.MsgTx) { tx.TxOut[0].Value = 1 }, txscript.SigHashAll), ErrInvalid, "OP_RETURN"},
		{"two inputs", signWith(func(tx *wire.MsgTx) { tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: 1}, nil, nil)) }, txscript.SigHashAll), ErrInvalid, "proof of funds"},
		{"version 3", signWith(func(tx *wire.MsgTx) { tx.Version = 3 }, txscript.SigHashAll), ErrInconclusive, "version 3"},
	}
	for _, tc := range cases {
		_, err := Verify(addr, msg, tc.sig)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.substr) {
			t.Errorf("%s: %v, want %v containing %q", tc.name, err, tc.want, tc.substr)
		}
	}
}

func TestParseAddress(t *testing.T) {
	cases := []struct {
		in   string
		net  wallet.Network
		fail bool
	}{
		{"bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", wallet.Mainnet, false},
		{"BC1Q9VZA2E8X573NCZRLZMS0WVX3GSQJX7VAVGKX0L", wallet.Mainnet, false},
		{"bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk", wallet.Regtest, false},
		{"mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB", wallet.Testnet, false},
		{"37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf", wallet.Mainnet, false},
		{"bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0m", 0, true},
		{"", 0, true},
		{"hello", 0, true},
	}
	for _, tc := range cases {
		_, n, err := ParseAddress(tc.in)
		if tc.fail {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%q: %v, want ErrMalformed", tc.in, err)
			}
			continue
		}
		if err != nil || n != tc.net {
			t.Errorf("%q: %s %v, want %s", tc.in, n, err, tc.net)
		}
	}
}

// TestVerifyDeclaredCounts: a signature of a few bytes whose transaction
// declares hundreds of thousands of inputs, millions of outputs or witness
// items is refused without btcd allocating for them (it used to allocate
// 80 to 140 MB per call, which starved the fuzzer on a loaded machine).
func TestVerifyDeclaredCounts(t *testing.T) {
	oneIn := "01" + strings.Repeat("00", 36) + "00" + "00000000"
	oneOut := "01" + "0000000000000000" + "00"
	for _, h := range []string{
		"01000000" + "fe00000c00",
		"01000000" + oneIn + "fe00003800",
		"01000000" + "0001" + oneIn + oneOut + "fe00093d00",
	} {
		raw, _ := hex.DecodeString(h)
		sig := base64.StdEncoding.EncodeToString(raw)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, err := VerifyString("bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", []byte("x"), sig)
		runtime.ReadMemStats(&m1)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", h, err)
		}
		if a := m1.TotalAlloc - m0.TotalAlloc; a > 1<<20 {
			t.Errorf("%s: %d bytes allocated for a %d-byte signature", h, a, len(raw))
		}
		_, err = VerifyString("bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", []byte("x"), prefixFull+sig)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "but only") {
			t.Errorf("ful%s: %v, want the declared count named", h, err)
		}
	}
}

// FuzzVerify feeds Verify arbitrary signatures for the vectors' addresses
// and messages: it never panics, and whatever verifies is a known format.
func FuzzVerify(f *testing.F) {
	for _, file := range []string{"basic-test-vectors.json", "generated-test-vectors.json"} {
		v := loadVectors(f, file)
		for _, tc := range append(v.Simple, v.Full...) {
			for _, sig := range tc.Signatures {
				f.Add(tc.Address, tc.Message, sig)
			}
		}
		for _, tc := range v.Error {
			f.Add(tc.Address, tc.Message, tc.Signature)
		}
	}
	f.Fuzz(func(t *testing.T, address, message, sig string) {
		r, err := VerifyString(address, []byte(message), sig)
		if err == nil && r.Format != FormatSimple && r.Format != FormatFull && r.Format != FormatLegacy {
			t.Fatalf("verified with format %v", r.Format)
		}
	})
}
