package qrcli

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/qr"
)

// bbqrData is the BBQr project's test data, kept in the repository's
// testdata/bbqr with its SOURCE.
func bbqrData(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "bbqr", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type bip174Vector struct {
	B64  string `json:"b64"`
	Hex  string `json:"hex"`
	Note string `json:"note"`
}

func bip174(t testing.TB) (valid, invalid []bip174Vector) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "bip174", "bip174-psbt-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Valid, Invalid []bip174Vector }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Valid) != 10 || len(v.Invalid) != 20 {
		t.Fatalf("bip174 vectors: %d valid, %d invalid; the SOURCE says 10 and 20", len(v.Valid), len(v.Invalid))
	}
	return v.Valid, v.Invalid
}

func TestDetectBBQrTestData(t *testing.T) {
	tests := []struct {
		file string
		kind Kind
		from string
	}{
		{"1in2out.psbt", KindPSBT, ""},
		{"1in10out.psbt", KindPSBT, ""},
		{"1in20out.psbt", KindPSBT, ""},
		{"1in100out.psbt", KindPSBT, ""},
		{"1in1000out.psbt", KindPSBT, ""},
		{"last.txn", KindTransaction, ""},
		{"nfc-result.txn", KindTransaction, ""},
		{"signed.txn", KindTransaction, ""},
		{"devils-txn.txn", KindTransaction, "hex"},
		{"finalized-by-ckcc.txn", KindTransaction, "hex"},
		{"real-scan.txt", KindText, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := bbqrData(t, tt.file)
			c := Detect(data)
			if c.Kind != tt.kind || c.From != tt.from {
				t.Fatalf("Detect = %v from %q, want %v from %q", c.Kind, c.From, tt.kind, tt.from)
			}
			if tt.from == "" && !bytes.Equal(c.Data, data) {
				t.Error("the data carried is not the file")
			}
			if tt.from == "hex" && hex.EncodeToString(c.Data) != strings.TrimSpace(string(data)) {
				t.Error("the data carried is not the hex decoded")
			}
		})
	}
}

func TestDetectBIP174(t *testing.T) {
	valid, invalid := bip174(t)
	for i, v := range valid {
		bin, _ := hex.DecodeString(v.Hex)
		if c := Detect([]byte(v.B64)); c.Kind != KindPSBT || c.From != "base64" || !bytes.Equal(c.Data, bin) {
			t.Errorf("valid %d base64: %v from %q, data equal %v", i, c.Kind, c.From, bytes.Equal(c.Data, bin))
		}
		// Broken into lines with a final newline, as files often are.
		var lines strings.Builder
		for s := v.B64; s != ""; {
			n := min(64, len(s))
			lines.WriteString(s[:n] + "\n")
			s = s[n:]
		}
		if c := Detect([]byte(lines.String())); c.Kind != KindPSBT || !bytes.Equal(c.Data, bin) {
			t.Errorf("valid %d base64 in lines: %v", i, c.Kind)
		}
		if c := Detect(bin); c.Kind != KindPSBT || c.From != "" {
			t.Errorf("valid %d binary: %v from %q", i, c.Kind, c.From)
		}
	}
	// Invalid PSBTs that carry the magic are still PSBTs to carry (the
	// signer refuses them); the ones without it are not.
	psbts := 0
	for i, v := range invalid {
		bin, err := base64.StdEncoding.DecodeString(v.B64)
		if err != nil {
			t.Fatalf("invalid %d: %v", i, err)
		}
		c := Detect([]byte(v.B64))
		if bytes.HasPrefix(bin, psbtMagic) {
			psbts++
			if c.Kind != KindPSBT {
				t.Errorf("invalid %d (%s): %v, want PSBT", i, v.Note, c.Kind)
			}
		} else if c.Kind == KindPSBT {
			t.Errorf("invalid %d (%s): detected as a PSBT without the magic", i, v.Note)
		}
	}
	if psbts == 0 || psbts == len(invalid) {
		t.Errorf("%d of %d invalid vectors carry the magic: the test checks nothing", psbts, len(invalid))
	}
}

func TestDetectOther(t *testing.T) {
	tests := []struct {
		name string
		data string
		kind Kind
	}{
		{"json object", `{"xfp": "73C5DA0A", "chain": "XRT"}` + "\n", KindJSON},
		{"json array", `[1, 2]`, KindJSON},
		{"broken json", `{"a": `, KindText},
		{"json scalar", `42`, KindText},
		{"descriptor", "wpkh([73c5da0a/84h/1h/0h]tpubD/0/*)#evh9fu0w\n", KindText},
		{"utf-8", "Grüße, 世界\n", KindText},
		{"nul", "a\x00b", KindBinary},
		{"bad utf-8", "\xff\xfe", KindBinary},
		{"empty", "", KindBinary},
		{"base64 not psbt", "cHNidQ==", KindText},
		{"cHNidP but broken", "cHNidP!!!!", KindText},
		{"short hex", "0200000001", KindText},
		{"psbt magic only", "psbt\xff", KindPSBT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Detect([]byte(tt.data))
			if c.Kind != tt.kind {
				t.Fatalf("Detect = %v, want %v", c.Kind, tt.kind)
			}
			if c.From == "" && !bytes.Equal(c.Data, []byte(tt.data)) {
				t.Error("the data carried is not the file")
			}
		})
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		want Target
		err  string
	}{
		{"terminal", Target{Kind: "terminal"}, ""},
		{"png:frames", Target{Kind: "png", Path: "frames"}, ""},
		{"png:/media/usb/a:b", Target{Kind: "png", Path: "/media/usb/a:b"}, ""},
		{"gif:request.gif", Target{Kind: "gif", Path: "request.gif"}, ""},
		{"png:", Target{}, "png: needs a folder"},
		{"gif:", Target{}, "gif: needs a file"},
		{"jpeg:x", Target{}, "want terminal, png:DIR or gif:FILE"},
		{"Terminal", Target{}, "want terminal"},
		{"", Target{}, "want terminal"},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseTarget(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTarget(%q) = %+v, %v, want %+v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("Target(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	usb := filepath.Join(dir, "usb")
	other := filepath.Join(dir, "home")
	for _, d := range []string{usb, other, filepath.Join(usb, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(usb, "request.psbt"), "inside")
	write(filepath.Join(usb, "sub", "deep.psbt"), "deep")
	write(filepath.Join(other, "secret"), "outside")
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(usb, name)); err != nil {
			t.Fatal(err)
		}
	}
	link("request.psbt", "same.psbt")
	link("sub/deep.psbt", "down.psbt")
	link("../home/secret", "up.psbt")
	link(filepath.Join(other, "secret"), "abs.psbt")
	link("../home/missing", "dangling.psbt")
	link("sub/../../home/secret", "roundabout.psbt")

	tests := []struct {
		name, want, err string
		max             int
	}{
		{"request.psbt", "inside", "", 100},
		{"same.psbt", "inside", "", 100},
		{"down.psbt", "deep", "", 100},
		{"sub/deep.psbt", "deep", "", 100},
		{"up.psbt", "", "is a symlink out of its folder", 100},
		{"abs.psbt", "", "is a symlink out of its folder", 100},
		{"dangling.psbt", "", "is a symlink out of its folder", 100},
		{"roundabout.psbt", "", "is a symlink out of its folder", 100},
		{"sub", "", "is not a regular file", 100},
		{"missing.psbt", "", "cannot open", 100},
		{"request.psbt", "", "larger than 3 bytes", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFile(filepath.Join(usb, tt.name), tt.max)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				var ce *cli.Error
				if !errors.As(err, &ce) || ce.Code != cli.ExitError {
					t.Errorf("error %T is not a cli.Error with exit code 1", err)
				}
				if strings.Contains(err.Error(), "outside") {
					t.Error("the error shows the file's content")
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("ReadFile = %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}

// runQR runs "coffer qr ARGS" as the binaries do and returns stdout,
// stderr and the error.
func runQR(t *testing.T, stdin io.Reader, args ...string) (string, string, error) {
	t.Helper()
	asJSON := false
	root := &cobra.Command{Use: "coffer", SilenceErrors: true, SilenceUsage: true}
	root.PersistentFlags().BoolVar(&asJSON, "json", false, "")
	root.AddCommand(NewCommand("coffer", &asJSON))
	var out, errOut bytes.Buffer
	root.SetArgs(append([]string{"qr"}, args...))
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	root.SetIn(stdin)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

// TestRoundTrip sends files of each kind through png frames and a GIF in
// both formats and reads them back with qr decode, checking the types, the
// bytes and the SHA-256 printed on both sides.
func TestRoundTrip(t *testing.T) {
	valid, _ := bip174(t)
	psbt, _ := hex.DecodeString(valid[0].Hex)
	tests := []struct {
		name   string
		data   []byte
		want   []byte // the bytes carried
		urType string
		bbType string
	}{
		{"psbt binary", bbqrData(t, "1in2out.psbt"), bbqrData(t, "1in2out.psbt"), "crypto-psbt", "PSBT"},
		{"psbt base64", []byte(valid[0].B64 + "\n"), psbt, "crypto-psbt", "PSBT"},
		{"transaction hex", bbqrData(t, "devils-txn.txn"), mustHex(t, string(bbqrData(t, "devils-txn.txn"))), "bytes", "Transaction"},
		{"transaction", bbqrData(t, "nfc-result.txn"), bbqrData(t, "nfc-result.txn"), "bytes", "Transaction"},
		{"json", []byte(`{"xfp": "73C5DA0A"}`), []byte(`{"xfp": "73C5DA0A"}`), "bytes", "JSON"},
		{"text", []byte("wpkh(tpub)\n"), []byte("wpkh(tpub)\n"), "bytes", "Unicode Text"},
		{"binary", []byte{0, 1, 2, 0xff}, []byte{0, 1, 2, 0xff}, "bytes", "Binary"},
	}
	for _, tt := range tests {
		for _, format := range []string{"ur", "bbqr"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				dir := t.TempDir()
				in := filepath.Join(dir, "in")
				if err := os.WriteFile(in, tt.data, 0o644); err != nil {
					t.Fatal(err)
				}
				target := "png:" + filepath.Join(dir, "frames")
				if tt.name == "json" || tt.name == "transaction" {
					target = "gif:" + filepath.Join(dir, "a.gif")
				}
				out, _, err := runQR(t, nil, "encode", in, "--qr-out", target, "--qr-format", format, "--json")
				if err != nil {
					t.Fatalf("encode: %v", err)
				}
				var s Sent
				if err := json.Unmarshal([]byte(out), &s); err != nil {
					t.Fatalf("encode --json: %v\n%s", err, out)
				}
				wantType := map[string]string{"ur": tt.urType, "bbqr": tt.bbType}[format]
				sum := sha256.Sum256(tt.want)
				if s.Type != wantType || s.SHA256 != hex.EncodeToString(sum[:]) || s.Bytes != len(tt.want) || s.Frames < 1 || len(s.Files) < 1 {
					t.Fatalf("encode gave %+v, want type %s and sha256 %x", s, wantType, sum)
				}
				images := []string{strings.TrimPrefix(strings.TrimPrefix(target, "png:"), "gif:")}
				got := filepath.Join(dir, "got")
				out, _, err = runQR(t, nil, append(append([]string{"decode"}, images...), "--out", got, "--expect-sha256", s.SHA256)...)
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				b, _ := os.ReadFile(got)
				if !bytes.Equal(b, tt.want) {
					t.Fatal("decoded bytes differ")
				}
				if !strings.Contains(out, "sha256 "+s.SHA256+"\n") || !strings.Contains(out, wantType) {
					t.Errorf("decode printed %q", out)
				}
			})
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// frames returns the UR parts of data, upper case as in the codes.
func urParts(t *testing.T, data []byte, frag, parts int) []string {
	t.Helper()
	texts, err := qr.TextFrames(data, qr.FrameOptions{URType: "crypto-psbt", MaxFragmentLen: frag, Parts: parts})
	if err != nil {
		t.Fatal(err)
	}
	return texts
}

// TestStdinLines feeds scanner lines: shuffled, repeated, with noise, a
// part of another message and a corrupt part, which are reported and
// skipped; the file comes out whole.
func TestStdinLines(t *testing.T) {
	data := bbqrData(t, "1in20out.psbt")
	parts := urParts(t, data, 100, 30)
	other := urParts(t, bbqrData(t, "1in10out.psbt"), 100, 3)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	corrupt := []byte(parts[3])
	corrupt[len(corrupt)-5] ^= 1
	lines := []string{"hello from the scanner", "", parts[5], other[1], string(corrupt)}
	lines = append(lines, parts[5])
	lines = append(lines, parts...)
	stdin := strings.NewReader(strings.Join(lines, "\r\n") + "\n")
	dir := t.TempDir()
	out, errOut, err := runQR(t, stdin, "decode", "--out", filepath.Join(dir, "got.psbt"))
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, errOut)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "got.psbt"))
	if !bytes.Equal(got, data) {
		t.Fatal("decoded bytes differ")
	}
	for _, want := range []string{"coffer: warning: line 4: part of another message, skipped", "coffer: warning: line 5: corrupt part, skipped"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Count(errOut, "warning") != 2 {
		t.Errorf("want 2 warnings (noise is skipped quietly):\n%s", errOut)
	}
	if !strings.Contains(out, "read ur:crypto-psbt from stdin (1342 bytes") || !strings.Contains(out, "2 refused") {
		t.Errorf("stdout: %q", out)
	}
}

func TestDecodeRefusals(t *testing.T) {
	data := bbqrData(t, "1in10out.psbt")
	dir := t.TempDir()
	frames := filepath.Join(dir, "frames")
	if _, _, err := runQR(t, nil, "encode", filepath.Join("..", "..", "testdata", "bbqr", "1in10out.psbt"), "--qr-out", "png:"+frames); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	parts := urParts(t, data, 200, 0)
	tests := []struct {
		name  string
		stdin string
		args  []string
		err   string
	}{
		{"two frames of five", "", []string{frames + "/frame-0001.png", frames + "/frame-0002.png"}, "the 2 images ended with 2 of 5 parts (40%): the message is incomplete"},
		{"stdin short", parts[0] + "\n", nil, "stdin ended with 1 of 5 parts (20%)"},
		{"stdin noise", "hello\nworld\n", nil, "stdin held no UR or BBQr part"},
		{"wrong sha256", "", []string{frames}, "sha256 " + hex.EncodeToString(sum[:]) + " is not the expected " + strings.Repeat("ab", 32)},
		{"bad sha256 flag", "", []string{frames}, "--expect-sha256 \"abc\" is not 64 hex digits"},
		{"no images in folder", "", []string{dir}, "holds no PNG, JPEG or GIF file"},
		{"not an image", "", []string{filepath.Join("..", "..", "testdata", "bbqr", "1in2out.psbt")}, "cannot read the image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "got")
			args := append(append([]string{"decode"}, tt.args...), "--out", out)
			switch tt.name {
			case "wrong sha256":
				args = append(args, "--expect-sha256", strings.Repeat("AB", 32))
			case "bad sha256 flag":
				args = append(args, "--expect-sha256", "abc")
			}
			_, _, err := runQR(t, strings.NewReader(tt.stdin), args...)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			if tt.name == "wrong sha256" && !errors.Is(err, ErrSHA256Mismatch) {
				t.Error("a wrong sha256 is not ErrSHA256Mismatch")
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a refused decode wrote its --out")
			}
		})
	}
}

func TestEncodeRefusals(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "a.txt")
	os.WriteFile(text, []byte("hello"), 0o644)
	exists := filepath.Join(dir, "exists.gif")
	os.WriteFile(exists, []byte("old"), 0o644)
	frames := filepath.Join(dir, "frames")
	os.Mkdir(frames, 0o755)
	os.WriteFile(filepath.Join(frames, "frame-0001.png"), []byte("old"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{text, "--qr-out", "gif:" + exists}, "the file exists and is never overwritten"},
		{[]string{text, "--qr-out", "png:" + frames}, "already holds frames (frame-0001.png)"},
		{[]string{text, "--qr-out", "png:" + text}, "is not a folder"},
		{[]string{text, "--qr-out", "jpeg:x"}, `invalid argument "jpeg:x" for "--qr-out" flag: want terminal, png:DIR or gif:FILE`},
		{[]string{text, "--qr-out", "terminal", "--qr-format", "qr"}, "want ur or bbqr"},
		{[]string{text, "--qr-out", "terminal", "--qr-ur-type", "crypto-psbt"}, "--qr-ur-type crypto-psbt: the data is text, not a PSBT"},
		{[]string{text, "--qr-out", "terminal", "--qr-ur-type", "psbt", "--qr-format", "bbqr"}, "--qr-ur-type goes with --qr-format ur"},
		{[]string{text, "--qr-out", "terminal", "--qr-fps", "0"}, "--qr-fps 0 is not above 0"},
		{[]string{text, "--qr-out", "terminal", "--qr-density", "-1"}, "--qr-density -1 is below 0"},
		{[]string{text, "--qr-out", "terminal", "--qr-scale", "-1"}, "--qr-scale -1 is not between 1 and 24"},
		{[]string{text, "--qr-out", "png:" + filepath.Join(dir, "big"), "--qr-scale", "25"}, "--qr-scale 25 is not between 1 and 24"},
		{[]string{text}, `required flag(s) "qr-out" not set`},
		{[]string{empty, "--qr-out", "terminal"}, "is empty: nothing to encode"},
	}
	for _, tt := range tests {
		_, _, err := runQR(t, nil, append([]string{"encode"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("encode %v: error %v, want %q", tt.args, err, tt.err)
		}
	}
	if b, _ := os.ReadFile(exists); string(b) != "old" {
		t.Error("the GIF that existed was changed")
	}
}

// TestScale: --qr-scale sets the frame size of PNG frames and GIFs (pixels
// per module), the default being qr.DefaultPNGScale / DefaultGIFScale, and
// the frames read back at any of them.
func TestScale(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(in, []byte("wpkh([73c5da0a/84h/1h/0h]tpub)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, tt := range []struct {
		target string
		scale  string // "" for the default
		want   int    // pixels per module
	}{
		{"png:", "", qr.DefaultPNGScale},
		{"png:", "3", 3},
		{"png:", "24", 24},
		{"gif:", "", qr.DefaultGIFScale},
		{"gif:", "10", 10},
	} {
		where := filepath.Join(dir, fmt.Sprintf("out%d", i))
		args := []string{"encode", in, "--qr-out", tt.target + where, "--json"}
		if tt.scale != "" {
			args = append(args, "--qr-scale", tt.scale)
		}
		out, _, err := runQR(t, nil, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		var s Sent
		if err := json.Unmarshal([]byte(out), &s); err != nil || len(s.Files) != 1 {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		f, err := os.Open(s.Files[0].Path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		size := 4*2 + 4*s.Version + 17 // modules with the quiet zone
		if cfg.Width != size*tt.want || cfg.Height != size*tt.want {
			t.Errorf("%v: %d x %d pixels, want %d (version %d at %d pixels a module)", args, cfg.Width, cfg.Height, size*tt.want, s.Version, tt.want)
		}
		if _, _, err := runQR(t, nil, "decode", s.Files[0].Path, "--out", where+".back", "--expect-sha256", s.SHA256); err != nil {
			t.Errorf("%v: the frames do not read back: %v", args, err)
		}
	}
}

// TestTerminalNoTTY draws the frames of a file --qr-loops times on a
// stderr that is no terminal, with a counter under each.
func TestTerminalNoTTY(t *testing.T) {
	f := filepath.Join(t.TempDir(), "a.psbt")
	os.WriteFile(f, bbqrData(t, "1in10out.psbt"), 0o644)
	out, errOut, err := runQR(t, nil, "encode", f, "--qr-out", "terminal", "--qr-fps", "100", "--qr-loops", "2")
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ frames, version int }
	if _, err := fmt.Sscanf(out, "showed %d frames (ur:crypto-psbt, QR version %d", &s.frames, &s.version); err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	if got := strings.Count(errOut, "frame 1/"); got != 2 {
		t.Errorf("frame 1 drawn %d times, want 2 (one a loop)", got)
	}
	if got := strings.Count(errOut, "frame "); got != 2*s.frames {
		t.Errorf("%d frames drawn, want %d", got, 2*s.frames)
	}
	if !strings.Contains(errOut, "█") && !strings.Contains(errOut, "▀") {
		t.Error("no half blocks drawn")
	}
	if strings.Contains(errOut, "press any key") {
		t.Error("asked for a key press with no terminal")
	}
}

func TestProgressLine(t *testing.T) {
	data := bbqrData(t, "1in10out.psbt")
	parts := urParts(t, data, 200, 0)
	var buf bytes.Buffer
	p := &progress{w: &buf, prog: "coffer", live: true}
	c := qr.NewCollector(qr.Limits{})
	p.event("line 1", c.Add([]byte("noise")), c.Progress())
	p.event("line 2", c.Add([]byte(parts[0])), c.Progress())
	p.event("line 3", c.Add([]byte(parts[1])), c.Progress())
	p.done()
	want := "\r\x1b[2Kscanning: no part yet (1 other lines or codes)" +
		"\r\x1b[2Kscanning ur:crypto-psbt: 1 of 5 parts, 20%" +
		"\r\x1b[2Kscanning ur:crypto-psbt: 2 of 5 parts, 40%\n"
	if buf.String() != want {
		t.Errorf("progress:\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestCRLFWriter(t *testing.T) {
	var buf bytes.Buffer
	n, err := crlfWriter{&buf}.Write([]byte("a\nb\n\n"))
	if err != nil || n != 5 || buf.String() != "a\r\nb\r\n\r\n" {
		t.Errorf("got %q, %d, %v", buf.String(), n, err)
	}
}

// FuzzDetect holds Detect's promises on any input: no panic, a PSBT
// carries the magic, and only the text forms are changed.
func FuzzDetect(f *testing.F) {
	valid, invalid := bip174(f)
	for _, v := range append(valid, invalid...) {
		f.Add([]byte(v.B64))
	}
	for _, name := range []string{"1in2out.psbt", "nfc-result.txn", "devils-txn.txn"} {
		f.Add(bbqrData(f, name))
	}
	f.Add([]byte(`{"a": 1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Detect(data)
		switch c.From {
		case "":
			if !bytes.Equal(c.Data, data) {
				t.Fatal("data changed without a text form")
			}
		case "base64", "hex":
			if c.Kind != KindPSBT && c.Kind != KindTransaction {
				t.Fatalf("%s turned into %v", c.From, c.Kind)
			}
		default:
			t.Fatalf("From %q", c.From)
		}
		if c.Kind == KindPSBT && !bytes.HasPrefix(c.Data, psbtMagic) {
			t.Fatal("a PSBT without the magic")
		}
		if c.Kind == KindTransaction && !isTransaction(c.Data) {
			t.Fatal("a transaction that does not parse")
		}
		if c.Kind.bbqrType().Name() == "" {
			t.Fatal("no BBQr type")
		}
	})
}

// FuzzParseTarget: no panic; what parses prints back to itself.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"terminal", "png:frames", "gif:a.gif", "png:", "x:y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err == nil && tg.String() != s {
			t.Fatalf("ParseTarget(%q).String() = %q", s, tg.String())
		}
	})
}
