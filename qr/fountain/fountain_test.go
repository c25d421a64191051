package fountain

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/coffer-custody/coffer/qr/bytewords"
	"github.com/coffer-custody/coffer/qr/internal/testvec"
	"github.com/coffer-custody/coffer/qr/internal/xoshiro"
)

func TestRNG(t *testing.T) {
	crc := []byte{0x59, 0x8c, 0x84, 0xdc}
	if got := bytewords.Checksum([]byte("Wolf")); got != 0x598c84dc {
		t.Fatalf("crc32(Wolf) = %08x", got)
	}
	tests := []struct {
		name string
		seed []byte
		draw func(x *xoshiro.Rand) uint64
	}{
		{"test_rng_1", []byte("Wolf"), func(x *xoshiro.Rand) uint64 { return x.Next() % 100 }},
		{"test_rng_2", crc, func(x *xoshiro.Rand) uint64 { return x.Next() % 100 }},
		{"test_rng_3", []byte("Wolf"), func(x *xoshiro.Rand) uint64 { return x.NextInt(1, 10) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v struct {
				Expected []uint64 `json:"expected"`
			}
			testvec.BCUR(t, tc.name, &v)
			if len(v.Expected) != 100 {
				t.Fatalf("%d expected values", len(v.Expected))
			}
			x := xoshiro.New(tc.seed)
			for i, want := range v.Expected {
				if got := tc.draw(x); got != want {
					t.Fatalf("draw %d = %d, want %d", i, got, want)
				}
			}
		})
	}
}

func TestFindFragmentLength(t *testing.T) {
	var v struct {
		Cases []struct {
			MessageLen int `json:"message_len"`
			Min        int `json:"min_fragment_len"`
			Max        int `json:"max_fragment_len"`
			Expected   int `json:"expected"`
		} `json:"cases"`
	}
	testvec.BCUR(t, "test_find_fragment_length", &v)
	if len(v.Cases) != 2 {
		t.Fatalf("%d cases", len(v.Cases))
	}
	for _, c := range v.Cases {
		if got := FragmentLength(c.MessageLen, c.Min, c.Max); got != c.Expected {
			t.Errorf("FragmentLength(%d, %d, %d) = %d, want %d", c.MessageLen, c.Min, c.Max, got, c.Expected)
		}
	}
	// Beyond the vectors: shorter than the minimum is one fragment, and a
	// minimum that forbids enough fragments gives a longer fragment than the
	// maximum (the reference's behaviour).
	extra := []struct{ n, min, max, want int }{
		{5, 10, 30, 5},
		{10, 10, 30, 10},
		{25, 10, 11, 13},
		{256, 10, 30, 29},
	}
	for _, c := range extra {
		if got := FragmentLength(c.n, c.min, c.max); got != c.want {
			t.Errorf("FragmentLength(%d, %d, %d) = %d, want %d", c.n, c.min, c.max, got, c.want)
		}
	}
}

func TestRandomSampler(t *testing.T) {
	var v struct {
		Probs    []float64 `json:"probs"`
		Seed     string    `json:"rng_seed"`
		Count    int       `json:"count"`
		Expected []int     `json:"expected"`
	}
	testvec.BCUR(t, "test_random_sampler", &v)
	if len(v.Expected) != v.Count || v.Count != 500 {
		t.Fatalf("%d expected, count %d", len(v.Expected), v.Count)
	}
	s := newSampler(v.Probs)
	x := xoshiro.New([]byte(v.Seed))
	for i, want := range v.Expected {
		if got := s.next(x); got != want {
			t.Fatalf("sample %d = %d, want %d", i, got, want)
		}
	}
}

func TestShuffle(t *testing.T) {
	var v struct {
		Values   []int   `json:"values"`
		Seed     string  `json:"rng_seed"`
		Expected [][]int `json:"expected"`
	}
	testvec.BCUR(t, "test_shuffle", &v)
	if len(v.Expected) != 10 {
		t.Fatalf("%d expected shuffles", len(v.Expected))
	}
	x := xoshiro.New([]byte(v.Seed))
	for i, want := range v.Expected {
		idx := shufflePrefix(len(v.Values), len(v.Values), x)
		got := make([]int, len(idx))
		for j, k := range idx {
			got[j] = v.Values[k]
		}
		if !slices.Equal(got, want) {
			t.Errorf("shuffle %d = %v, want %v", i, got, want)
		}
	}
}

func TestPartitionAndJoin(t *testing.T) {
	var v struct {
		Min       int      `json:"min_fragment_len"`
		Max       int      `json:"max_fragment_len"`
		Fragments []string `json:"expected_fragments_hex"`
	}
	testvec.BCUR(t, "test_partition_and_join", &v)
	msg := testvec.MakeMessage(1024, "Wolf")
	fragLen := FragmentLength(len(msg), v.Min, v.Max)
	frags := partition(msg, fragLen)
	if len(frags) != len(v.Fragments) || len(frags) != 11 {
		t.Fatalf("%d fragments, want %d", len(frags), len(v.Fragments))
	}
	var joined []byte
	for i, f := range frags {
		if got := hex.EncodeToString(f); got != v.Fragments[i] {
			t.Errorf("fragment %d = %s, want %s", i, got, v.Fragments[i])
		}
		joined = append(joined, f...)
	}
	if !bytes.Equal(joined[:len(msg)], msg) {
		t.Error("joined fragments differ from the message")
	}
	for _, b := range joined[len(msg):] {
		if b != 0 {
			t.Fatal("padding is not zero")
		}
	}
}

func TestChooseDegree(t *testing.T) {
	var v struct {
		Expected []int `json:"expected"`
	}
	testvec.BCUR(t, "test_choose_degree", &v)
	if len(v.Expected) != 200 {
		t.Fatalf("%d expected", len(v.Expected))
	}
	s := degreeSampler(11)
	for nonce := 1; nonce <= 200; nonce++ {
		x := xoshiro.New([]byte("Wolf-" + strconv.Itoa(nonce)))
		if got := chooseDegree(s, x); got != v.Expected[nonce-1] {
			t.Errorf("nonce %d: degree %d, want %d", nonce, got, v.Expected[nonce-1])
		}
	}
}

func TestChooseFragments(t *testing.T) {
	var v struct {
		Expected [][]int `json:"expected"`
	}
	testvec.BCUR(t, "test_choose_fragments", &v)
	if len(v.Expected) != 30 {
		t.Fatalf("%d expected", len(v.Expected))
	}
	msg := testvec.MakeMessage(1024, "Wolf")
	checksum := bytewords.Checksum(msg)
	n := len(partition(msg, FragmentLength(len(msg), 10, 100)))
	s := degreeSampler(n)
	for seq := 1; seq <= 30; seq++ {
		got := chooseFragments(uint32(seq), n, checksum, s)
		slices.Sort(got)
		if !slices.Equal(got, v.Expected[seq-1]) {
			t.Errorf("seqNum %d: %v, want %v", seq, got, v.Expected[seq-1])
		}
	}
}

func TestXOR(t *testing.T) {
	var v struct {
		D1  string `json:"data1_hex"`
		D2  string `json:"data2_hex"`
		D12 string `json:"data1_xor_data2_hex"`
	}
	testvec.BCUR(t, "test_xor", &v)
	x := xoshiro.New([]byte("Wolf"))
	d1, d2 := x.NextData(10), x.NextData(10)
	if hex.EncodeToString(d1) != v.D1 || hex.EncodeToString(d2) != v.D2 {
		t.Fatalf("data %x %x, want %s %s", d1, d2, v.D1, v.D2)
	}
	d3 := slices.Clone(d1)
	xorInto(d3, d2)
	if hex.EncodeToString(d3) != v.D12 {
		t.Errorf("xor = %x, want %s", d3, v.D12)
	}
	xorInto(d3, d1)
	if !bytes.Equal(d3, d2) {
		t.Error("xor is not its own inverse")
	}
}

func TestEncoderParts(t *testing.T) {
	var v struct {
		Max   int      `json:"max_fragment_len"`
		Parts []string `json:"expected_parts"`
	}
	testvec.BCUR(t, "test_fountain_encoder", &v)
	var c struct {
		Max   int      `json:"max_fragment_len"`
		Parts []string `json:"expected_parts_cbor_hex"`
	}
	testvec.BCUR(t, "test_fountain_encoder_cbor", &c)
	if len(v.Parts) != 20 || len(c.Parts) != 20 {
		t.Fatalf("%d and %d expected parts", len(v.Parts), len(c.Parts))
	}
	e, err := NewEncoder(testvec.MakeMessage(256, "Wolf"), DefaultMinFragmentLen, v.Max, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range v.Parts {
		p := e.NextPart()
		if got := p.String(); got != v.Parts[i] {
			t.Errorf("part %d = %s\nwant %s", i+1, got, v.Parts[i])
		}
		cb := p.MarshalCBOR()
		if got := hex.EncodeToString(cb); got != c.Parts[i] {
			t.Errorf("part %d cbor = %s\nwant %s", i+1, got, c.Parts[i])
		}
		back, err := ParsePart(cb, Limits{})
		if err != nil || back.String() != p.String() {
			t.Errorf("part %d: parse back = %v, %v", i+1, back, err)
		}
	}
}

func TestEncoderIsComplete(t *testing.T) {
	var v struct {
		Max int `json:"max_fragment_len"`
	}
	testvec.BCUR(t, "test_fountain_encoder_is_complete", &v)
	e, err := NewEncoder(testvec.MakeMessage(256, "Wolf"), DefaultMinFragmentLen, v.Max, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for !e.IsComplete() {
		e.NextPart()
		n++
	}
	if n != e.SeqLen() || n != 9 {
		t.Errorf("complete after %d parts, seqLen %d", n, e.SeqLen())
	}
}

func TestDecoderVector(t *testing.T) {
	var v struct {
		Max   int    `json:"max_fragment_len"`
		First uint32 `json:"first_seq_num"`
	}
	testvec.BCUR(t, "test_fountain_decoder", &v)
	msg := testvec.MakeMessage(32767, "Wolf")
	e, err := NewEncoder(msg, DefaultMinFragmentLen, v.Max, v.First)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(Limits{})
	for n := 0; !d.Complete(); n++ {
		if n > 10*e.SeqLen() {
			t.Fatalf("not complete after %d parts", n)
		}
		if _, err := d.Receive(e.NextPart()); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(d.Message(), msg) {
		t.Fatal("decoded message differs")
	}
}

func TestPartCBORRoundTrip(t *testing.T) {
	var v struct {
		Part struct {
			SeqNum     uint32 `json:"seq_num"`
			SeqLen     int    `json:"seq_len"`
			MessageLen int    `json:"message_len"`
			Checksum   uint32 `json:"checksum"`
			Data       []int  `json:"data"`
		} `json:"part"`
	}
	testvec.BCUR(t, "test_fountain_cbor", &v)
	p := Part{SeqNum: v.Part.SeqNum, SeqLen: v.Part.SeqLen, MessageLen: v.Part.MessageLen, Checksum: v.Part.Checksum}
	for _, b := range v.Part.Data {
		p.Data = append(p.Data, byte(b))
	}
	cb := p.MarshalCBOR()
	// The reference's round-trip part (seqLen 8 with 5-byte fragments for a
	// 100-byte message) is not a consistent part, so ParsePart refuses it;
	// the CBOR itself must still read back field for field.
	if _, err := ParsePart(cb, Limits{}); err == nil {
		t.Error("inconsistent part accepted")
	}
	want := "850c0818641a12345678450105030305"
	if got := hex.EncodeToString(cb); got != want {
		t.Errorf("cbor = %s, want %s", got, want)
	}
	p.SeqLen = 20
	back, err := ParsePart(p.MarshalCBOR(), Limits{})
	if err != nil || back.String() != p.String() {
		t.Errorf("round trip = %v, %v", back, err)
	}
}

func TestParsePartErrors(t *testing.T) {
	good := Part{SeqNum: 1, SeqLen: 2, MessageLen: 10, Checksum: 7, Data: make([]byte, 5)}
	tests := []struct {
		name string
		hex  string
		lim  Limits
	}{
		{"not an array", "01", Limits{}},
		{"four items", "8401020304", Limits{}},
		{"trailing byte", hex.EncodeToString(good.MarshalCBOR()) + "00", Limits{}},
		{"non-minimal seqNum", "851801020a0745" + "0000000000", Limits{}},
		{"seqNum zero", "8500020a074500000000" + "00", Limits{}},
		{"seqNum too big", "851b0000000100000000020a074500000000" + "00", Limits{}},
		{"empty data", "8501010a0740", Limits{}},
		{"seqLen above limit", hex.EncodeToString(good.MarshalCBOR()), Limits{MaxSeqLen: 1}},
		{"messageLen above limit", hex.EncodeToString(good.MarshalCBOR()), Limits{MaxMessageLen: 9}},
		{"seqLen mismatch", "8501030a074500000000" + "00", Limits{}},
		{"indefinite array", "9f01020a07450000000000ff", Limits{}},
		{"truncated data", "8501020a07450000", Limits{}},
	}
	var pe *PartError
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hex.DecodeString(tc.hex)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParsePart(b, tc.lim); !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *PartError", err)
			}
		})
	}
	if _, err := ParsePart(good.MarshalCBOR(), Limits{}); err != nil {
		t.Fatalf("good part: %v", err)
	}
}

// feed sends parts of msg to a fresh decoder, dropping each with
// probability loss, and returns how many parts it received.
func feed(t testing.TB, msg []byte, maxFrag int, loss float64, rng *rand.Rand) (received, seqLen int) {
	t.Helper()
	e, err := NewEncoder(msg, DefaultMinFragmentLen, maxFrag, 0)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(Limits{})
	for sent := 0; !d.Complete(); sent++ {
		if sent > 20*e.SeqLen()+100 {
			t.Fatalf("not complete after %d parts sent", sent)
		}
		p := e.NextPart()
		if rng.Float64() < loss {
			continue
		}
		received++
		if _, err := d.Receive(p); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(d.Message(), msg) {
		t.Fatal("decoded message differs")
	}
	return received, e.SeqLen()
}

func TestDecoderLoss(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{1, 9, 10, 11, 29, 30, 31, 256, 1000, 4096, 30000} {
		for _, loss := range []float64{0, 0.3, 0.6} {
			t.Run(fmt.Sprintf("%d/%v", size, loss), func(t *testing.T) {
				msg := make([]byte, size)
				for i := range msg {
					msg[i] = byte(rng.Uint32())
				}
				received, seqLen := feed(t, msg, 100, loss, rng)
				if loss == 0 && received != seqLen {
					t.Errorf("no loss: %d parts for %d fragments", received, seqLen)
				}
			})
		}
	}
}

func TestDecoderShuffledDuplicated(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	msg := testvec.MakeMessage(5000, "Wolf")
	e, err := NewEncoder(msg, DefaultMinFragmentLen, 120, 0)
	if err != nil {
		t.Fatal(err)
	}
	var parts []Part
	for i := 0; i < 2*e.SeqLen(); i++ {
		p := e.NextPart()
		if rng.Float64() < 0.3 {
			continue // dropped
		}
		parts = append(parts, p)
		if rng.Float64() < 0.3 {
			parts = append(parts, p) // repeated
		}
	}
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	d := NewDecoder(Limits{})
	for _, p := range parts {
		if _, err := d.Receive(p); err != nil {
			t.Fatal(err)
		}
		if d.Complete() {
			break
		}
	}
	if !d.Complete() || !bytes.Equal(d.Message(), msg) {
		t.Fatalf("not decoded: %+v", d.Progress())
	}
}

func TestDecoderRefusals(t *testing.T) {
	msg := testvec.MakeMessage(300, "Wolf")
	other := testvec.MakeMessage(300, "Fox")
	e, _ := NewEncoder(msg, DefaultMinFragmentLen, 30, 0)
	o, _ := NewEncoder(other, DefaultMinFragmentLen, 30, 0)
	s, _ := NewEncoder(msg[:290], DefaultMinFragmentLen, 30, 0)

	d := NewDecoder(Limits{})
	first := e.NextPart()
	if ok, err := d.Receive(first); !ok || err != nil {
		t.Fatalf("first part: %v %v", ok, err)
	}
	var me *MismatchError
	if _, err := d.Receive(o.NextPart()); !errors.As(err, &me) || me.Field != "checksum" {
		t.Errorf("other message: %v", err)
	}
	if _, err := d.Receive(s.NextPart()); !errors.As(err, &me) {
		t.Errorf("shorter message: %v", err)
	}
	if ok, err := d.Receive(first); ok || err != nil {
		t.Errorf("repeat: %v %v", ok, err)
	}
	// A part whose data was altered after the fact: fragment 1 again,
	// with other data, contradicts what is held.
	forged := first
	forged.Data = slices.Clone(first.Data)
	forged.Data[0] ^= 1
	var ie *InconsistentError
	if _, err := d.Receive(forged); !errors.As(err, &ie) {
		t.Errorf("forged repeat: %v", err)
	}
	if p := d.Progress(); p.Useful != 1 || p.SeqLen != 10 {
		t.Errorf("progress %+v", p)
	}
	// A forged part of a fragment not yet held is undetectable until the
	// end, where the checksum catches it.
	bad := e.NextPart()
	bad.Data = slices.Clone(bad.Data)
	bad.Data[3] ^= 0x80
	if _, err := d.Receive(bad); err != nil {
		t.Fatal(err)
	}
	var ce *ChecksumError
	for !d.Complete() {
		_, err := d.Receive(e.NextPart())
		if errors.As(err, &ce) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if ce == nil {
		t.Fatal("forged part not caught by the checksum")
	}
	if _, err := d.Receive(e.NextPart()); !errors.As(err, &ce) {
		t.Errorf("after checksum failure: %v", err)
	}
	d.Reset()
	if d.Started() || d.Progress().Received != 0 {
		t.Error("reset kept state")
	}
}

func TestDecoderLimits(t *testing.T) {
	e, _ := NewEncoder(make([]byte, 1000), DefaultMinFragmentLen, 10, 0)
	d := NewDecoder(Limits{MaxSeqLen: 50})
	var pe *PartError
	if _, err := d.Receive(e.NextPart()); !errors.As(err, &pe) {
		t.Errorf("seqLen 100 with limit 50: %v", err)
	}
	d = NewDecoder(Limits{MaxMessageLen: 999})
	if _, err := d.Receive(e.NextPart()); !errors.As(err, &pe) {
		t.Errorf("message 1000 with limit 999: %v", err)
	}
	if d.Started() {
		t.Error("refused part started the decoder")
	}
}

func TestNewEncoderErrors(t *testing.T) {
	for _, c := range []struct{ n, min, max int }{{0, 10, 30}, {5, 0, 30}, {5, 10, 9}} {
		if _, err := NewEncoder(make([]byte, c.n), c.min, c.max, 0); err == nil {
			t.Errorf("NewEncoder(%d bytes, %d, %d) accepted", c.n, c.min, c.max)
		}
	}
}

func FuzzParsePart(f *testing.F) {
	var c struct {
		Parts []string `json:"expected_parts_cbor_hex"`
	}
	testvec.BCUR(f, "test_fountain_encoder_cbor", &c)
	for _, h := range c.Parts {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePart(b, Limits{MaxMessageLen: 1 << 16, MaxSeqLen: 1 << 10})
		if err != nil {
			return
		}
		if !bytes.Equal(p.MarshalCBOR(), b) {
			t.Fatalf("part does not re-encode to its CBOR")
		}
		d := NewDecoder(Limits{MaxMessageLen: 1 << 16, MaxSeqLen: 1 << 10})
		if _, err := d.Receive(p); err != nil {
			var ce *ChecksumError
			if !errors.As(err, &ce) {
				t.Fatalf("valid part refused: %v", err)
			}
		}
	})
}
