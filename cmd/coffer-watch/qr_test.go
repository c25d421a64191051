package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQRRoundTrip runs coffer-watch qr encode and decode as the binary
// does: a PSBT (BBQr's test data) through PNG frames, then refusals with
// coffer-watch's own prefix on the messages.
func TestQRRoundTrip(t *testing.T) {
	psbt, err := os.ReadFile(filepath.Join("..", "..", "testdata", "bbqr", "1in20out.psbt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "request.psbt")
	if err := os.WriteFile(in, psbt, 0o644); err != nil {
		t.Fatal(err)
	}
	frames := filepath.Join(dir, "frames")
	runWatch := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := runWatch("qr", "encode", in, "--qr-out", "png:"+frames)
	if code != 0 || !strings.Contains(out, "(ur:crypto-psbt, QR version") {
		t.Fatalf("encode exit %d\n%s%s", code, out, errOut)
	}
	got := filepath.Join(dir, "got.psbt")
	code, out, errOut = runWatch("qr", "decode", frames, "--out", got)
	if code != 0 || !strings.HasPrefix(out, "read ur:crypto-psbt from ") {
		t.Fatalf("decode exit %d\n%s%s", code, out, errOut)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, psbt) {
		t.Fatal("decoded bytes differ")
	}
	code, _, errOut = runWatch("qr", "decode", filepath.Join(frames, "frame-0001.png"), "--out", filepath.Join(dir, "part.psbt"))
	if code != 1 || !strings.HasPrefix(errOut, "coffer-watch: error: the 1 image ended with 1 of ") || !strings.Contains(errOut, "\ncoffer-watch: hint: ") {
		t.Errorf("incomplete decode: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "part.psbt")); err == nil {
		t.Error("an incomplete decode wrote its --out")
	}
}
