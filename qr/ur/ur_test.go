package ur

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-custody/coffer/qr/bytewords"
	"github.com/coffer-custody/coffer/qr/internal/testvec"
)

func bytesUR(t testing.TB, n int, seed string) UR {
	t.Helper()
	u, err := NewBytes(TypeBytes, testvec.MakeMessage(n, seed))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(u.CBOR, testvec.MakeMessageCBOR(n, seed)) {
		t.Fatal("NewBytes CBOR differs from make_message_ur")
	}
	return u
}

func TestSinglePartVector(t *testing.T) {
	var v struct {
		Expected string `json:"expected"`
	}
	testvec.BCUR(t, "test_single_part_ur", &v)
	u := bytesUR(t, 50, "Wolf")
	if got := Encode(u); got != v.Expected {
		t.Fatalf("Encode = %s\nwant %s", got, v.Expected)
	}
	back, err := Parse(v.Expected, Limits{})
	if err != nil || back.Type != u.Type || !bytes.Equal(back.CBOR, u.CBOR) {
		t.Fatalf("Parse = %+v, %v", back, err)
	}
	d := NewDecoder(Limits{})
	if err := d.Receive(strings.ToUpper(v.Expected)); err != nil {
		t.Fatal(err)
	}
	got, err := d.Result()
	if err != nil || !bytes.Equal(got.CBOR, u.CBOR) {
		t.Fatalf("Result = %+v, %v", got, err)
	}
}

func TestEncoderVector(t *testing.T) {
	var v struct {
		Max   int      `json:"max_fragment_len"`
		Parts []string `json:"expected_parts"`
	}
	testvec.BCUR(t, "test_ur_encoder", &v)
	if len(v.Parts) != 20 {
		t.Fatalf("%d expected parts", len(v.Parts))
	}
	e, err := NewEncoder(bytesUR(t, 256, "Wolf"), EncoderOptions{MaxFragmentLen: v.Max})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range v.Parts {
		if got := e.NextPart(); got != want {
			t.Errorf("part %d = %s\nwant %s", i+1, got, want)
		}
	}
	// The same parts, from the vector file, decode in reverse order.
	d := NewDecoder(Limits{})
	for i := len(v.Parts) - 1; i >= 0 && !d.Complete(); i-- {
		if err := d.Receive(v.Parts[i]); err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
	}
	u, err := d.Result()
	if err != nil || !bytes.Equal(u.CBOR, testvec.MakeMessageCBOR(256, "Wolf")) {
		t.Fatalf("Result = %v", err)
	}
}

func TestMultipartVector(t *testing.T) {
	var v struct {
		Max   int    `json:"max_fragment_len"`
		First uint32 `json:"first_seq_num"`
	}
	testvec.BCUR(t, "test_multipart_ur", &v)
	u := bytesUR(t, 32767, "Wolf")
	e, err := NewEncoder(u, EncoderOptions{MaxFragmentLen: v.Max, FirstSeqNum: v.First})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(Limits{})
	for n := 0; !d.Complete(); n++ {
		if n > 10*e.SeqLen() {
			t.Fatal("not complete")
		}
		if err := d.Receive(e.NextPart()); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Result()
	if err != nil || got.Type != "bytes" || !bytes.Equal(got.CBOR, u.CBOR) {
		t.Fatalf("Result = %v", err)
	}
}

type examples struct {
	Bytewords []struct {
		CBOR    string `json:"cbor_hex"`
		Minimal string `json:"minimal"`
	} `json:"bytewords_examples"`
	Single []struct {
		From    string `json:"from"`
		Type    string `json:"type"`
		CBOR    string `json:"cbor_hex"`
		Payload string `json:"payload_hex"`
		UR      string `json:"ur"`
	} `json:"single_part"`
	Multi []struct {
		Type   string `json:"type"`
		SeqNum int    `json:"seq_num"`
		SeqLen int    `json:"seq_len"`
		UR     string `json:"ur"`
	} `json:"multipart"`
}

func loadExamples(t testing.TB) examples {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testvec.Root(t), "ur", "bcr-2020-005-006-examples.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e examples
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestRegistryExamples(t *testing.T) {
	ex := loadExamples(t)
	if len(ex.Single) != 5 || len(ex.Multi) != 1 || len(ex.Bytewords) != 1 {
		t.Fatalf("examples: %d single, %d multi, %d bytewords", len(ex.Single), len(ex.Multi), len(ex.Bytewords))
	}
	for _, b := range ex.Bytewords {
		cb, _ := hex.DecodeString(b.CBOR)
		if got := bytewords.Encode(bytewords.Minimal, cb); got != b.Minimal {
			t.Errorf("bytewords(%s) = %s, want %s", b.CBOR, got, b.Minimal)
		}
	}
	for _, s := range ex.Single {
		t.Run(s.From, func(t *testing.T) {
			u, err := Parse(s.UR, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if u.Type != s.Type {
				t.Errorf("type %q, want %q", u.Type, s.Type)
			}
			if s.CBOR != "" && hex.EncodeToString(u.CBOR) != s.CBOR {
				t.Errorf("cbor %x, want %s", u.CBOR, s.CBOR)
			}
			if got := Encode(u); got != s.UR {
				t.Errorf("re-encoded %s", got)
			}
			if s.Payload == "" {
				return
			}
			p, err := u.Payload()
			if err != nil || hex.EncodeToString(p) != s.Payload {
				t.Errorf("payload %x, %v", p, err)
			}
			built, err := NewBytes(s.Type, p)
			if err != nil || Encode(built) != s.UR {
				t.Errorf("NewBytes gives %s, %v", Encode(built), err)
			}
			if s.Type == TypeCryptoPSBT || s.Type == TypePSBT {
				psbt, err := u.PSBT()
				if err != nil || !bytes.Equal(psbt, p) {
					t.Errorf("PSBT() = %v", err)
				}
				w, err := NewPSBT(p, s.Type)
				if err != nil || Encode(w) != s.UR {
					t.Errorf("NewPSBT gives %s, %v", Encode(w), err)
				}
			}
		})
	}
	for _, m := range ex.Multi {
		d := NewDecoder(Limits{})
		if err := d.Receive(m.UR); err != nil {
			t.Fatalf("multipart example: %v", err)
		}
		p := d.Progress()
		if p.Type != m.Type || p.SeqLen != m.SeqLen || p.Received != 1 || p.Useful != 1 {
			t.Errorf("progress %+v", p)
		}
	}
}

func TestNewPSBTDefaultType(t *testing.T) {
	u, err := NewPSBT([]byte("psbt\xff"), "")
	if err != nil || u.Type != TypeCryptoPSBT {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err := NewPSBT([]byte("psbt\xff"), "bytes"); err == nil {
		t.Error("bytes accepted as a PSBT type")
	}
	b, _ := NewBytes(TypeBytes, []byte{1})
	var pe *PayloadError
	if _, err := b.PSBT(); !errors.As(err, &pe) {
		t.Errorf("PSBT() of ur:bytes = %v", err)
	}
}

func TestPayloadTags(t *testing.T) {
	body := []byte{0x43, 1, 2, 3}
	tests := []struct {
		typ  string
		cbor string
		ok   bool
	}{
		{TypeCryptoPSBT, "43010203", true},
		{TypeCryptoPSBT, "d90136" + "43010203", true}, // tag 310
		{TypePSBT, "d99d76" + "43010203", true},       // tag 40310
		{TypePSBT, "d90136" + "43010203", false},      // tag 310 on psbt
		{TypeBytes, "d90136" + "43010203", false},     // no tag for bytes
		{TypeBytes, "4301020300", false},              // trailing byte
		{TypeBytes, "5803010203", false},              // non-minimal length
		{TypeBytes, "6161", false},                    // text, not bytes
		{TypeBytes, "5f4101ff", false},                // indefinite
	}
	for _, tc := range tests {
		cb, _ := hex.DecodeString(tc.cbor)
		got, err := UR{Type: tc.typ, CBOR: cb}.Payload()
		if tc.ok != (err == nil) {
			t.Errorf("%s %s: err = %v", tc.typ, tc.cbor, err)
		}
		if tc.ok && !bytes.Equal(got, body[1:]) {
			t.Errorf("%s %s: payload %x", tc.typ, tc.cbor, got)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for _, typ := range []string{"", "has space", "ur:x", "emoji-é", strings.Repeat("a", 65)} {
		if _, err := New(typ, []byte{0x40}); err == nil {
			t.Errorf("type %q accepted", typ)
		}
	}
	if u, err := New("Crypto-PSBT", []byte{0x40}); err != nil || u.Type != "crypto-psbt" {
		t.Errorf("upper-case type: %+v %v", u, err)
	}
	if _, err := New("bytes", nil); err == nil {
		t.Error("empty message accepted")
	}
}

// parts returns n parts of a UR of size bytes with the given fragment length.
func parts(t testing.TB, typ string, size, frag, n int, seed uint64) (UR, []string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(rng.Uint32())
	}
	u, err := NewBytes(typ, payload)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEncoder(u, EncoderOptions{MaxFragmentLen: frag})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = e.NextPart()
	}
	return u, out
}

func TestDecoderShuffledDuplicatedDropped(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, size := range []int{1, 100, 2000, 20000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			u, _ := parts(t, TypeBytes, size, 150, 0, uint64(size))
			e, _ := NewEncoder(u, EncoderOptions{MaxFragmentLen: 150})
			var all []string
			for i := 0; i < 3*e.SeqLen()+5; i++ {
				all = append(all, e.NextPart())
			}
			var stream []string
			for _, p := range all {
				if rng.Float64() < 0.3 {
					continue
				}
				stream = append(stream, p)
				if rng.Float64() < 0.2 {
					stream = append(stream, strings.ToUpper(p))
				}
			}
			rng.Shuffle(len(stream), func(i, j int) { stream[i], stream[j] = stream[j], stream[i] })
			d := NewDecoder(Limits{})
			for _, s := range stream {
				if err := d.Receive(s); err != nil {
					t.Fatal(err)
				}
				if d.Complete() {
					break
				}
			}
			got, err := d.Result()
			if err != nil || got.Type != u.Type || !bytes.Equal(got.CBOR, u.CBOR) {
				t.Fatalf("Result: %v (progress %+v)", err, d.Progress())
			}
		})
	}
}

func TestDecoderRefusesAndSkips(t *testing.T) {
	u, mine := parts(t, TypeCryptoPSBT, 497, 50, 12, 1)
	_, other := parts(t, TypeCryptoPSBT, 497, 50, 3, 2)
	_, otherType := parts(t, TypeBytes, 497, 50, 3, 1)
	_, otherLen := parts(t, TypeCryptoPSBT, 397, 50, 3, 1)
	single, _ := NewBytes(TypeCryptoPSBT, []byte("small"))

	d := NewDecoder(Limits{})
	if err := d.Receive(mine[0]); err != nil {
		t.Fatal(err)
	}
	corrupt := []byte(mine[1])
	corrupt[len(corrupt)-10] ^= 'a' ^ 'e' // still letters, wrong checksum or word
	mismatchedSeq := strings.Replace(mine[2], "/3-", "/4-", 1)

	tests := []struct {
		name string
		in   string
		want any
	}{
		{"noise", "hello world", ErrNotUR},
		{"empty", "", ErrNotUR},
		{"another message", other[1], new(*OtherMessageError)},
		{"another type", otherType[1], new(*OtherMessageError)},
		{"another length", otherLen[1], new(*OtherMessageError)},
		{"single part in multipart", Encode(single), new(*OtherMessageError)},
		{"corrupt bytewords", string(corrupt), new(*PartError)},
		{"sequence disagrees with CBOR", mismatchedSeq, new(*PartError)},
		{"bad sequence", "ur:bytes/x-1/aeae", new(*PartError)},
		{"zero sequence", "ur:bytes/0-1/aeae", new(*PartError)},
		{"too many components", "ur:bytes/1-1/aeae/aeae", new(*PartError)},
		{"bad type", "ur:by_tes/aeaeaeaeae", new(*PartError)},
		{"too long", "ur:bytes/" + strings.Repeat("ae", 9000), new(*PartError)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.Receive(tc.in)
			switch w := tc.want.(type) {
			case error:
				if !errors.Is(err, w) {
					t.Fatalf("err = %v, want %v", err, w)
				}
			case **OtherMessageError:
				if !errors.As(err, w) {
					t.Fatalf("err = %v, want *OtherMessageError", err)
				}
			case **PartError:
				if !errors.As(err, w) {
					t.Fatalf("err = %v, want *PartError", err)
				}
			}
		})
	}
	if p := d.Progress(); p.Received != 1 || p.Useful != 1 || p.SeqLen != 10 || p.Type != TypeCryptoPSBT {
		t.Fatalf("refused parts changed the decoder: %+v", p)
	}
	for _, s := range mine[1:] {
		if err := d.Receive(s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Result()
	if err != nil || !bytes.Equal(got.CBOR, u.CBOR) {
		t.Fatalf("Result: %v", err)
	}
	if p := d.Progress(); p.Percent() != 100 {
		t.Errorf("percent %v", p.Percent())
	}
	// After completion: repeats are fine, other messages still reported.
	if err := d.Receive(mine[3]); err != nil {
		t.Errorf("repeat after completion: %v", err)
	}
	var oe *OtherMessageError
	if err := d.Receive(other[0]); !errors.As(err, &oe) {
		t.Errorf("other message after completion: %v", err)
	}
}

func TestDecoderIncomplete(t *testing.T) {
	_, ps := parts(t, TypeBytes, 497, 50, 3, 1)
	d := NewDecoder(Limits{})
	for _, p := range ps {
		if err := d.Receive(p); err != nil {
			t.Fatal(err)
		}
	}
	if d.Complete() {
		t.Fatal("complete with 3 of 10")
	}
	if _, err := d.Result(); err == nil {
		t.Fatal("Result before completion")
	}
	if p := d.Progress(); p.Percent() != 30 {
		t.Errorf("percent = %v", p.Percent())
	}
	d.Reset()
	if p := d.Progress(); p != (Progress{}) {
		t.Errorf("after reset: %+v", p)
	}
}

func TestDecoderLimits(t *testing.T) {
	_, ps := parts(t, TypeBytes, 5000, 50, 1, 1)
	var pe *PartError
	if err := NewDecoder(Limits{MaxSeqLen: 50}).Receive(ps[0]); !errors.As(err, &pe) {
		t.Errorf("seqLen limit: %v", err)
	}
	if err := NewDecoder(Limits{MaxMessageLen: 4000}).Receive(ps[0]); !errors.As(err, &pe) {
		t.Errorf("message limit: %v", err)
	}
	big, _ := NewBytes(TypeBytes, make([]byte, 3000))
	if err := NewDecoder(Limits{MaxMessageLen: 2000}).Receive(Encode(big)); !errors.As(err, &pe) {
		t.Errorf("single-part message limit: %v", err)
	}
	if err := NewDecoder(Limits{MaxPartLen: 100}).Receive(ps[0]); !errors.As(err, &pe) {
		t.Errorf("part length limit: %v", err)
	}
}

// TestRoundTripSizes sends random payloads from 1 byte to 1 MiB through
// the encoder and decoder, losing 30% of the parts.
func TestRoundTripSizes(t *testing.T) {
	sizes := []int{1, 2, 9, 10, 11, 100, 1000, 10_000, 100_000, 1 << 20}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, size := range sizes {
		if testing.Short() && size > 100_000 {
			continue
		}
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			frag := 200
			if size >= 100_000 {
				frag = 2000 // keep the number of fragments near what QR codes carry
			}
			u, _ := parts(t, TypeBytes, size, frag, 0, uint64(size))
			e, err := NewEncoder(u, EncoderOptions{MaxFragmentLen: frag})
			if err != nil {
				t.Fatal(err)
			}
			d := NewDecoder(Limits{})
			for sent := 0; !d.Complete(); sent++ {
				if sent > 3*e.SeqLen()+20 {
					t.Fatalf("not complete after %d parts", sent)
				}
				p := e.NextPart()
				if rng.Float64() < 0.3 {
					continue
				}
				if err := d.Receive(p); err != nil {
					t.Fatal(err)
				}
			}
			got, err := d.Result()
			if err != nil {
				t.Fatal(err)
			}
			payload, err := got.Payload()
			if err != nil {
				t.Fatal(err)
			}
			want, _ := u.Payload()
			if !bytes.Equal(payload, want) {
				t.Fatal("payload differs")
			}
		})
	}
}

func FuzzURDecoder(f *testing.F) {
	var v struct {
		Parts []string `json:"expected_parts"`
	}
	testvec.BCUR(f, "test_ur_encoder", &v)
	for _, p := range v.Parts {
		f.Add(p, v.Parts[0])
	}
	for _, s := range loadExamples(f).Single {
		f.Add(s.UR, "")
	}
	f.Add("UR:BYTES/1-1/AEAE", "noise")
	f.Fuzz(func(t *testing.T, a, b string) {
		d := NewDecoder(Limits{MaxMessageLen: 1 << 16, MaxSeqLen: 1 << 10})
		for _, s := range []string{a, b, a} {
			_ = d.Receive(s)
		}
		if d.Complete() {
			u, err := d.Result()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(Encode(u), Limits{}); err != nil {
				t.Fatalf("result does not re-encode: %v", err)
			}
		}
		if u, err := Parse(a, Limits{}); err == nil {
			if got, err := Parse(Encode(u), Limits{}); err != nil || !bytes.Equal(got.CBOR, u.CBOR) || got.Type != u.Type {
				t.Fatalf("Parse(Encode(Parse(a))) differs: %v", err)
			}
		}
	})
}
