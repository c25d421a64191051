package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

func TestSignECDSAVectors(t *testing.T) {
	var vec struct {
		Cases []struct {
			Source        string `json:"source"`
			PrivateKey    string `json:"private_key"`
			Hash          string `json:"hash"`
			DER           string `json:"der"`
			Compact       string `json:"compact"`
			NeedsGrinding bool   `json:"needs_grinding"`
		} `json:"cases"`
	}
	loadJSON(t, "psbt/lowr/ecdsa-lowr-vectors.json", &vec)
	if len(vec.Cases) != 3 {
		t.Fatalf("%d cases", len(vec.Cases))
	}
	for _, c := range vec.Cases {
		key, pub := btcec.PrivKeyFromBytes(mustHex(t, c.PrivateKey))
		hash := mustHex(t, c.Hash)
		sig, err := signECDSA(key, hash)
		if err != nil {
			t.Fatal(err)
		}
		want := c.DER
		if c.Compact != "" {
			var r, s btcec.ModNScalar
			cb := mustHex(t, c.Compact)
			r.SetByteSlice(cb[:32])
			s.SetByteSlice(cb[32:])
			want = hex.EncodeToString(ecdsa.NewSignature(&r, &s).Serialize())
		}
		if got := hex.EncodeToString(sig.Serialize()); got != want {
			t.Errorf("%s:\n got %s\nwant %s", c.Source, got, want)
		}
		if !sig.Verify(hash, pub) {
			t.Errorf("%s: does not verify", c.Source)
		}
		plain := ecdsa.Sign(key, hash).Serialize()
		if grinded := !bytes.Equal(plain, sig.Serialize()); grinded != c.NeedsGrinding {
			t.Errorf("%s: needed grinding %v, vector says %v", c.Source, grinded, c.NeedsGrinding)
		}
	}
}

// TestSignECDSALowRMany signs many hashes with many keys: every signature
// with its sighash byte fits in 71 bytes, has low R and low S, verifies,
// and equals btcec's plain RFC6979 signature whenever that one already had
// a low R (the first attempt of the grinding loop uses no extra data).
func TestSignECDSALowRMany(t *testing.T) {
	const n = 1000
	seed := sha256.Sum256([]byte("coffer low-r test"))
	ground := 0
	for i := 0; i < n; i++ {
		seed = sha256.Sum256(seed[:])
		key, pub := btcec.PrivKeyFromBytes(seed[:])
		hash := sha256.Sum256(append(seed[:], byte(i)))
		sig, err := signECDSA(key, hash[:])
		if err != nil {
			t.Fatal(err)
		}
		der := sig.Serialize()
		if len(der)+1 > 71 {
			t.Fatalf("signature %d is %d bytes with its sighash byte", i, len(der)+1)
		}
		r, s := derRS(t, der)
		if r.Bytes()[0] >= 0x80 {
			t.Fatalf("signature %d has a high R", i)
		}
		if s.IsOverHalfOrder() {
			t.Fatalf("signature %d has a high S", i)
		}
		if !sig.Verify(hash[:], pub) {
			t.Fatalf("signature %d does not verify", i)
		}
		plain := ecdsa.Sign(key, hash[:])
		pr, _ := derRS(t, plain.Serialize())
		if pr.Bytes()[0] < 0x80 {
			if !bytes.Equal(plain.Serialize(), der) {
				t.Fatalf("signature %d: first attempt differs from plain RFC6979", i)
			}
		} else {
			ground++
		}
	}
	// About half of plain RFC6979 signatures have a high R.
	if ground < n/3 || ground > 2*n/3 {
		t.Fatalf("%d of %d signatures needed grinding; expected about half", ground, n)
	}
}

func TestSignECDSABadInput(t *testing.T) {
	key, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{1}, 32))
	if _, err := signECDSA(key, make([]byte, 31)); err == nil {
		t.Fatal("31-byte hash accepted")
	}
}

// TestSignSchnorrBIP340 checks BIP340's test-vectors.csv: every row with a
// secret key and a 32-byte message is reproduced with its aux_rand, and
// every row's verification result holds.
func TestSignSchnorrBIP340(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "testdata", "bip340", "test-vectors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	signed, verified := 0, 0
	for _, row := range rows[1:] {
		idx, sk, pk, aux, msg, sig, result := row[0], row[1], row[2], row[3], row[4], row[5], row[6]
		m := mustHex(t, msg)
		if len(m) != 32 {
			continue // btcec's schnorr takes 32-byte messages; the variable-length rows are BIP340 extensions
		}
		if sk != "" {
			key, _ := btcec.PrivKeyFromBytes(mustHex(t, sk))
			var a [32]byte
			copy(a[:], mustHex(t, aux))
			s, err := signSchnorrAux(key, m, a)
			if err != nil {
				t.Fatalf("row %s: %v", idx, err)
			}
			if got := strings.ToUpper(hex.EncodeToString(s.Serialize())); got != sig {
				t.Errorf("row %s: got %s want %s", idx, got, sig)
			}
			signed++
		}
		ok := false
		if pub, err := schnorr.ParsePubKey(mustHex(t, pk)); err == nil {
			if s, err := schnorr.ParseSignature(mustHex(t, sig)); err == nil {
				ok = s.Verify(m, pub)
			}
		}
		if ok != (result == "TRUE") {
			t.Errorf("row %s: verification %v, want %s", idx, ok, result)
		}
		verified++
	}
	if signed < 4 || verified < 15 {
		t.Fatalf("signed %d, verified %d rows", signed, verified)
	}
	// Fresh randomness: two signatures of the same message differ, and
	// both verify.
	key, pub := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{7}, 32))
	h := sha256.Sum256([]byte("m"))
	s1, err1 := signSchnorr(key, h[:])
	s2, err2 := signSchnorr(key, h[:])
	if err1 != nil || err2 != nil || bytes.Equal(s1.Serialize(), s2.Serialize()) || !s1.Verify(h[:], pub) || !s2.Verify(h[:], pub) {
		t.Fatal("schnorr signatures with fresh aux randomness")
	}
}

func BenchmarkSignECDSA(b *testing.B) {
	key, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{3}, 32))
	h := sha256.Sum256([]byte("bench"))
	for i := 0; i < b.N; i++ {
		h[0] = byte(i)
		if _, err := signECDSA(key, h[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// derRS splits a strict DER signature into r and s.
func derRS(t testing.TB, der []byte) (r, s *btcec.ModNScalar) {
	t.Helper()
	if len(der) < 8 || der[0] != 0x30 || der[2] != 0x02 {
		t.Fatalf("not DER: %x", der)
	}
	rl := int(der[3])
	rb := der[4 : 4+rl]
	sl := int(der[5+rl])
	sb := der[6+rl : 6+rl+sl]
	r, s = new(btcec.ModNScalar), new(btcec.ModNScalar)
	r.SetByteSlice(bytes.TrimLeft(rb, "\x00"))
	s.SetByteSlice(bytes.TrimLeft(sb, "\x00"))
	return r, s
}

// TestSignECDSABatch checks that the batch signer makes exactly
// signECDSA's signatures (so Core's, byte for byte): the vectors, and
// 2,000 random keys and hashes in batches of 1 to 100, with bad requests
// mixed in that must fail alone.
func TestSignECDSABatch(t *testing.T) {
	var vec struct {
		Cases []struct {
			PrivateKey string `json:"private_key"`
			Hash       string `json:"hash"`
		} `json:"cases"`
	}
	loadJSON(t, "psbt/lowr/ecdsa-lowr-vectors.json", &vec)
	var reqs []ecdsaReq
	for _, c := range vec.Cases {
		key, _ := btcec.PrivKeyFromBytes(mustHex(t, c.PrivateKey))
		reqs = append(reqs, ecdsaReq{key: key, hash: mustHex(t, c.Hash)})
	}
	checkBatch(t, reqs)

	seed := sha256.Sum256([]byte("coffer low-r batch test"))
	total := 0
	for _, size := range []int{1, 2, 3, 16, 17, 100, 1, 16, 500, 1000, 344} {
		reqs := make([]ecdsaReq, size)
		for i := range reqs {
			seed = sha256.Sum256(seed[:])
			key, _ := btcec.PrivKeyFromBytes(seed[:])
			h := sha256.Sum256(append(seed[:], 'h'))
			reqs[i] = ecdsaReq{key: key, hash: h[:]}
		}
		checkBatch(t, reqs)
		total += size
	}
	if total != 2000 {
		t.Fatalf("%d signatures checked", total)
	}

	// Bad requests fail on their own; the others are still signed.
	good, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{9}, 32))
	h := sha256.Sum256([]byte("m"))
	reqs = []ecdsaReq{
		{key: good, hash: h[:]},
		{key: good, hash: h[:31]},
		{key: &btcec.PrivateKey{}, hash: h[:]},
		{key: good, hash: h[1:]},
	}
	signECDSABatch(reqs)
	if reqs[0].err != nil || reqs[1].err == nil || reqs[2].err == nil || reqs[3].err == nil {
		t.Fatalf("errors: %v, %v, %v, %v", reqs[0].err, reqs[1].err, reqs[2].err, reqs[3].err)
	}
	want, _ := signECDSA(good, h[:])
	if !bytes.Equal(reqs[0].sig.Serialize(), want.Serialize()) {
		t.Fatal("good request next to bad ones signed differently")
	}
	signECDSABatch(nil)
}

// checkBatch signs reqs with the batch signer and compares every
// signature with signECDSA's.
func checkBatch(t *testing.T, reqs []ecdsaReq) {
	t.Helper()
	signECDSABatch(reqs)
	for i, q := range reqs {
		if q.err != nil {
			t.Fatalf("request %d: %v", i, q.err)
		}
		want, err := signECDSA(q.key, q.hash)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.sig.Serialize(); !bytes.Equal(got, want.Serialize()) {
			t.Fatalf("request %d of %d:\n got %x\nwant %x", i, len(reqs), got, want.Serialize())
		}
	}
}

// TestLowRFinishFallback drives the branch the batch signer leaves to
// signECDSA (s would be zero: e = -r·d): the request gets signECDSA's
// signature.
func TestLowRFinishFallback(t *testing.T) {
	key, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{5}, 32))
	h := sha256.Sum256([]byte("fallback"))
	q := &ecdsaReq{key: key, hash: h[:]}
	st := &lowRState{req: q}
	var k btcec.ModNScalar
	k.SetInt(12345)
	btcec.ScalarBaseMultNonConst(&k, &st.r)
	st.r.ToAffine()
	var r btcec.ModNScalar
	r.SetBytes((*[32]byte)(st.r.X.Bytes()))
	st.e.Mul2(&r, &key.Key).Negate()
	var one btcec.FieldVal
	one.SetInt(1)
	if done := st.finish(&one); !done {
		t.Fatal("a zero s went to the next counter")
	}
	want, _ := signECDSA(key, h[:])
	if q.err != nil || !bytes.Equal(q.sig.Serialize(), want.Serialize()) {
		t.Fatalf("fallback: %v", q.err)
	}
}

func BenchmarkSignECDSABatch(b *testing.B) {
	key, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{3}, 32))
	reqs := make([]ecdsaReq, signChunk)
	hs := make([][32]byte, signChunk)
	for i := 0; i < b.N; i++ {
		for k := range reqs {
			hs[k] = sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(k)})
			reqs[k] = ecdsaReq{key: key, hash: hs[k][:]}
		}
		signECDSABatch(reqs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*signChunk)/1e3, "µs/sig")
}
