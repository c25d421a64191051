package ur

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-custody/coffer/qr/internal/testvec"
)

// ngraveio runs testdata/ur/interop/interop.js (the pinned
// @ngraveio/bc-ur, the JavaScript UR library of Ngrave and Keystone).
func ngraveio(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	node := testvec.RequireTool(t, "node", "install Node.js (Debian: apt-get install -y nodejs npm)")
	dir := filepath.Join(testvec.Root(t), "ur", "interop")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@ngraveio", "bc-ur", "package.json")); err != nil {
		testvec.Missing(t, "@ngraveio/bc-ur is not installed: run (cd testdata/ur/interop && npm ci --ignore-scripts)")
	}
	cmd := exec.Command(node, append([]string{"interop.js"}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node interop.js %s: %v: %s", args[0], err, stderr.String())
	}
	return string(out)
}

func randomUR(t *testing.T, typ string, size int, seed uint64) UR {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	u, err := NewBytes(typ, b)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var interopCases = []struct {
	typ        string
	size, frag int
}{
	{TypeBytes, 1, 100},
	{TypeCryptoPSBT, 150, 200},
	{TypeCryptoPSBT, 5000, 200},
	{TypePSBT, 30000, 500},
	{"x-coffer-test", 700, 60},
}

// TestInteropEncodersAgree checks that @ngraveio/bc-ur and our encoder
// write the same parts, string for string, fountain parts included.
func TestInteropEncodersAgree(t *testing.T) {
	for i, c := range interopCases {
		t.Run(fmt.Sprintf("%s/%d", c.typ, c.size), func(t *testing.T) {
			u := randomUR(t, c.typ, c.size, uint64(i))
			e, err := NewEncoder(u, EncoderOptions{MaxFragmentLen: c.frag})
			if err != nil {
				t.Fatal(err)
			}
			n := 2*e.SeqLen() + 3
			theirs := strings.Split(strings.TrimSpace(ngraveio(t, "", "encode", u.Type, hex.EncodeToString(u.CBOR), fmt.Sprint(c.frag), fmt.Sprint(n))), "\n")
			if len(theirs) != n {
				t.Fatalf("%d parts from node", len(theirs))
			}
			for j, want := range theirs {
				if got := e.NextPart(); got != want {
					t.Fatalf("part %d:\n ours   %s\n theirs %s", j+1, got, want)
				}
			}
		})
	}
}

// TestInteropTheyDecodeOurs feeds our parts, shuffled, with the first
// fifth of the fragments missing, to @ngraveio/bc-ur's decoder.
func TestInteropTheyDecodeOurs(t *testing.T) {
	for i, c := range interopCases {
		t.Run(fmt.Sprintf("%s/%d", c.typ, c.size), func(t *testing.T) {
			u := randomUR(t, c.typ, c.size, uint64(i)+100)
			e, err := NewEncoder(u, EncoderOptions{MaxFragmentLen: c.frag})
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for j := 0; j < 4*e.SeqLen()+10; j++ {
				p := e.NextPart()
				if j < e.SeqLen()/5 {
					continue
				}
				parts = append(parts, strings.ToUpper(p))
			}
			rng := rand.New(rand.NewPCG(uint64(i), 5))
			rng.Shuffle(len(parts), func(a, b int) { parts[a], parts[b] = parts[b], parts[a] })
			out := strings.Fields(ngraveio(t, strings.Join(parts, "\n"), "decode"))
			if len(out) != 2 || out[0] != u.Type || out[1] != hex.EncodeToString(u.CBOR) {
				t.Fatalf("node decoded %.80q", out)
			}
		})
	}
}

// TestInteropWeDecodeTheirs decodes @ngraveio/bc-ur's parts with 30% of
// them dropped and the rest shuffled and repeated.
func TestInteropWeDecodeTheirs(t *testing.T) {
	for i, c := range interopCases {
		t.Run(fmt.Sprintf("%s/%d", c.typ, c.size), func(t *testing.T) {
			u := randomUR(t, c.typ, c.size, uint64(i)+200)
			e, _ := NewEncoder(u, EncoderOptions{MaxFragmentLen: c.frag})
			n := 3*e.SeqLen() + 5
			theirs := strings.Split(strings.TrimSpace(ngraveio(t, "", "encode", u.Type, hex.EncodeToString(u.CBOR), fmt.Sprint(c.frag), fmt.Sprint(n))), "\n")
			rng := rand.New(rand.NewPCG(uint64(i), 6))
			var stream []string
			for _, p := range theirs {
				if rng.Float64() < 0.3 {
					continue
				}
				stream = append(stream, p, p)
			}
			rng.Shuffle(len(stream), func(a, b int) { stream[a], stream[b] = stream[b], stream[a] })
			d := NewDecoder(Limits{})
			for _, p := range stream {
				if err := d.Receive(p); err != nil {
					t.Fatal(err)
				}
			}
			got, err := d.Result()
			if err != nil || got.Type != u.Type || !bytes.Equal(got.CBOR, u.CBOR) {
				t.Fatalf("Result: %v", err)
			}
		})
	}
}
