package qr

import (
	"bytes"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-custody/coffer/qr/internal/testvec"
	"github.com/coffer-custody/coffer/qr/ur"
)

// TestInteropZbarimg decodes the PNG frames we write with zbarimg (Debian
// zbar-tools), the reader of Glacier's protocol and of many desk setups,
// and collects the message from its output.
func TestInteropZbarimg(t *testing.T) {
	zbarimg := testvec.RequireTool(t, "zbarimg", "install zbar-tools (Debian: apt-get install -y zbar-tools)")
	data := randomBytes(rand.New(rand.NewPCG(21, 22)), 4000)
	for _, opt := range []FrameOptions{
		{URType: ur.TypeCryptoPSBT},
		{Format: FormatBBQr, Version: 20},
	} {
		t.Run(opt.Format.String(), func(t *testing.T) {
			codes, err := Frames(data, opt)
			if err != nil {
				t.Fatal(err)
			}
			paths, err := WritePNGFrames(filepath.Join(t.TempDir(), "f"), codes, 3)
			if err != nil {
				t.Fatal(err)
			}
			// One file at a time: zbarimg names no file in --raw output.
			var lines []string
			for i, p := range paths {
				out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
				if err != nil {
					t.Fatalf("zbarimg %s: %v", filepath.Base(p), err)
				}
				got := strings.TrimRight(string(out), "\n")
				if got != string(codes[i].Content()) {
					t.Fatalf("%s: zbarimg read %.60q, want %.60q", filepath.Base(p), got, codes[i].Content())
				}
				lines = append(lines, got)
			}
			p, err := ScanLines(strings.NewReader(strings.Join(lines, "\n")), NewCollector(Limits{}), nil)
			if err != nil || !bytes.Equal(p.Data, data) {
				t.Fatalf("collect: %v", err)
			}
		})
	}
	t.Run("binary", func(t *testing.T) {
		content := make([]byte, 256)
		for i := range content {
			content[i] = byte(i)
		}
		c, err := Encode(content, LevelM)
		if err != nil {
			t.Fatal(err)
		}
		paths, err := WritePNGFrames(t.TempDir(), []*Code{c}, 4)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sbinary", paths[0]).Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		// zbarimg ends its output with a newline even in binary mode.
		if !bytes.Equal(bytes.TrimSuffix(out, []byte("\n")), content) {
			t.Fatalf("zbarimg -Sbinary read %d bytes that differ", len(out))
		}
	})
}
