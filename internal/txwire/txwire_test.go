package txwire

import (
	"bytes"
	"encoding/hex"
	"runtime"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

func sampleTx(witness bool) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for i := range 3 {
		in := wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{byte(i)}, uint32(i)), []byte{0x51, byte(i)}, nil)
		if witness {
			in.Witness = wire.TxWitness{bytes.Repeat([]byte{byte(i)}, 72), {}, {0x21}}
		}
		tx.AddTxIn(in)
	}
	tx.AddTxOut(wire.NewTxOut(1000, []byte{0x00, 0x14}))
	tx.AddTxOut(wire.NewTxOut(0, nil))
	tx.LockTime = 800000
	return tx
}

func serialize(t testing.TB, tx *wire.MsgTx, witness bool) []byte {
	var buf bytes.Buffer
	var err error
	if witness {
		err = tx.Serialize(&buf)
	} else {
		err = tx.SerializeNoWitness(&buf)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, witness := range []bool{false, true} {
		want := sampleTx(witness)
		raw := serialize(t, want, true)
		got, err := Decode(raw)
		if err != nil {
			t.Fatalf("witness %v: %v", witness, err)
		}
		if !bytes.Equal(serialize(t, got, true), raw) || got.TxHash() != want.TxHash() {
			t.Errorf("witness %v: decoded transaction differs", witness)
		}
		if _, err := Decode(append(raw, 0)); err == nil || !strings.Contains(err.Error(), "1 bytes follow") {
			t.Errorf("witness %v: a byte left over: %v", witness, err)
		}
	}
	legacy := serialize(t, sampleTx(false), false)
	if _, err := DecodeNoWitness(legacy); err != nil {
		t.Errorf("DecodeNoWitness: %v", err)
	}
	if _, err := DecodeNoWitness(serialize(t, sampleTx(true), true)); err == nil {
		t.Error("DecodeNoWitness read a witness serialization")
	}
}

// TestDeclaredCounts: counts and lengths larger than the bytes that follow
// are refused by name before btcd allocates for them.
func TestDeclaredCounts(t *testing.T) {
	oneIn := "01" + strings.Repeat("00", 36) + "00" + "00000000"
	oneOut := "01" + "0000000000000000" + "00"
	cases := []struct {
		name, hex, want string
	}{
		{"inputs", "01000000" + "fe00000c00", "declares 786432 inputs but only 0 bytes follow"},
		{"outputs", "01000000" + oneIn + "fe00003800", "declares 3670016 outputs but only 0 bytes follow"},
		{"witness items", "01000000" + "0001" + oneIn + oneOut + "fe00093d00", "input #0's witness declares 4000000 items"},
		{"scriptSig", "01000000" + "01" + strings.Repeat("00", 36) + "fe00000002" + "00000000", "input #0's scriptSig needs 33554432 bytes"},
		{"output script", "01000000" + oneIn + "01" + "0000000000000000" + "fe00000002", "output #0's script needs 33554432 bytes"},
		{"witness item", "01000000" + "0001" + oneIn + oneOut + "01" + "fe00093d00" + "00000000", "input #0's witness item #0 needs 4000000 bytes"},
		{"flag", "01000000" + "0002" + oneIn + oneOut + "00000000", "the segwit flag is 0x02"},
		{"short", "0100", "the version needs 4 bytes but 2 follow"},
		{"no lock time", "01000000" + oneIn + oneOut, "the lock time needs 4 bytes but 0 follow"},
	}
	for _, tc := range cases {
		raw, err := hex.DecodeString(tc.hex)
		if err != nil {
			t.Fatal(err)
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, err = Decode(raw)
		runtime.ReadMemStats(&m1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if a := m1.TotalAlloc - m0.TotalAlloc; a > 1<<20 {
			t.Errorf("%s: %d bytes allocated for %d bytes of input", tc.name, a, len(raw))
		}
	}
}

// FuzzDecode holds Check against btcd: whatever btcd decodes, Check
// accepts with the same length, and Decode allocates in proportion to its
// input.
func FuzzDecode(f *testing.F) {
	f.Add(serialize(f, sampleTx(false), false))
	f.Add(serialize(f, sampleTx(true), true))
	f.Add([]byte{1, 0, 0, 0, 0xfe, 0, 0, 0x0c, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, witness := range []bool{false, true} {
			var tx wire.MsgTx
			r := bytes.NewReader(b)
			var berr error
			if witness {
				berr = tx.Deserialize(r)
			} else {
				berr = tx.DeserializeNoWitness(r)
			}
			n, err := Check(b, witness)
			if berr == nil && (err != nil || n != len(b)-r.Len()) {
				t.Fatalf("witness %v: btcd reads %d bytes, Check says %d, %v", witness, len(b)-r.Len(), n, err)
			}
			var got *wire.MsgTx
			if witness {
				got, err = Decode(b)
			} else {
				got, err = DecodeNoWitness(b)
			}
			if (err == nil) != (berr == nil && r.Len() == 0) {
				t.Fatalf("witness %v: Decode %v, btcd %v with %d bytes left", witness, err, berr, r.Len())
			}
			if err == nil && got.TxHash() != tx.TxHash() {
				t.Fatalf("witness %v: Decode and btcd differ", witness)
			}
		}
	})
}
