package bbqr

import (
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-custody/coffer/qr/internal/qrcap"
	"github.com/coffer-custody/coffer/qr/internal/testvec"
)

func dataDir(t testing.TB) string { return filepath.Join(testvec.Root(t), "bbqr") }

// The files of coinkite/BBQr test_data, with the deflate (wbits=10, level
// 9) sizes BBQr.md reports for them.
var testFiles = []struct {
	name    string
	size    int
	zlibRef int
}{
	{"1in1000out.psbt", 35644, 22095},
	{"1in100out.psbt", 4142, 2654},
	{"1in10out.psbt", 992, 670},
	{"1in20out.psbt", 1342, 897},
	{"1in2out.psbt", 675, 458},
	{"devils-txn.txn", 666, 356},
	{"finalized-by-ckcc.txn", 1932, 807},
	{"last.txn", 553, 530},
	{"nfc-result.txn", 376, 362},
	{"signed.txn", 100757, 77090},
}

func readLines(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestRealScan joins upstream's real-scan.txt as upstream's test_join.py
// does: file type U, text mentioning "Zlib compressed" and "PSBT".
func TestRealScan(t *testing.T) {
	lines := readLines(t, "real-scan.txt")
	if len(lines) != 26 {
		t.Fatalf("%d lines", len(lines))
	}
	ft, data, err := Join(lines, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if ft != UnicodeText || !bytes.Contains(data, []byte("Zlib compressed")) || !bytes.Contains(data, []byte("PSBT")) {
		t.Fatalf("type %c, %d bytes", ft, len(data))
	}
	// Any order, with the repeats it holds, and with noise between.
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 5; trial++ {
		shuffled := append([]string(nil), lines...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		d := NewDecoder(Limits{})
		for _, l := range shuffled {
			if err := d.Receive(l); err != nil {
				t.Fatal(err)
			}
			if err := d.Receive("QR-Code:noise"); !errors.Is(err, ErrNotBBQr) {
				t.Fatalf("noise: %v", err)
			}
		}
		ft2, data2, err := d.Result()
		if err != nil || ft2 != ft || !bytes.Equal(data2, data) {
			t.Fatalf("shuffled: %v", err)
		}
	}
}

func TestLoopbackFiles(t *testing.T) {
	for _, f := range testFiles {
		raw, err := os.ReadFile(filepath.Join(dataDir(t), f.name))
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != f.size {
			t.Fatalf("%s: %d bytes, want %d", f.name, len(raw), f.size)
		}
		ft := PSBT
		if strings.HasSuffix(f.name, ".txn") {
			ft = Transaction
		}
		for _, enc := range []Encoding{0, Hex, Base32, Zlib} {
			for _, opt := range []Options{{}, {MaxVersion: 10}, {MinVersion: 20, MaxVersion: 25, Level: 'M'}} {
				opt.Encoding = enc
				s, err := Encode(raw, ft, opt)
				if err != nil {
					if opt.MaxVersion == 10 && len(raw) > 30000 {
						continue // too many parts at version 10
					}
					t.Fatalf("%s %c %+v: %v", f.name, enc, opt, err)
				}
				checkSplit(t, s, opt)
				gotType, got, err := Join(s.Parts, Limits{})
				if err != nil || gotType != ft || !bytes.Equal(got, raw) {
					t.Fatalf("%s %c: join: %v", f.name, enc, err)
				}
			}
		}
	}
}

// checkSplit checks a split against BBQr.md's rules.
func checkSplit(t *testing.T, s Split, opt Options) {
	t.Helper()
	level, _ := levelIndex(opt.Level)
	capChars := qrcap.Alphanumeric(s.Version, level)
	for i, p := range s.Parts {
		if len(p) > capChars {
			t.Fatalf("part %d: %d characters, version %d holds %d", i, len(p), s.Version, capChars)
		}
		if !qrcap.IsAlphanumeric(p) {
			t.Fatalf("part %d is not alphanumeric", i)
		}
		if p[:6] != s.Parts[0][:6] || p[6:8] != base36(i) {
			t.Fatalf("part %d header %s", i, p[:8])
		}
		if i < len(s.Parts)-1 && (len(p) != len(s.Parts[0]) || (len(p)-headerLen)%s.Encoding.splitMod() != 0) {
			t.Fatalf("part %d has %d characters, part 0 %d", i, len(p), len(s.Parts[0]))
		}
	}
}

// TestSizeTable checks the splitter against the "Size Estimates" table of
// BBQr.md: at each version, that many hex-encoded bytes fit in exactly 2,
// 5, 10 and 20 parts, and one byte more does not.
func TestSizeTable(t *testing.T) {
	table := map[int][4]int{
		1:  {16, 40, 80, 160},
		11: {460, 1150, 2300, 4600},
		23: {1580, 3950, 7900, 15800},
		27: {2124, 5310, 10620, 21240},
		33: {3000, 7500, 15000, 30000},
		40: {4288, 10720, 21440, 42880},
	}
	for v, sizes := range table {
		for i, parts := range []int{2, 5, 10, 20} {
			n := sizes[i]
			opt := Options{Encoding: Hex, MinVersion: v, MaxVersion: v}
			s, err := Encode(make([]byte, n), Binary, opt)
			if err != nil || len(s.Parts) != parts || s.Version != v {
				t.Errorf("v%d %d bytes: %d parts, %v; want %d", v, n, len(s.Parts), err, parts)
			}
			s, err = Encode(make([]byte, n+1), Binary, opt)
			if err != nil || len(s.Parts) != parts+1 {
				t.Errorf("v%d %d bytes: %d parts, %v; want %d", v, n+1, len(s.Parts), err, parts+1)
			}
		}
	}
}

func TestEncodeChoices(t *testing.T) {
	// Fewest parts first, then the lowest version.
	s, err := Encode(make([]byte, 100), Binary, Options{Encoding: Hex})
	if err != nil || len(s.Parts) != 1 || s.Version != 7 {
		// 200 hex digits + 8 header characters: version 7 (L) holds 224.
		t.Errorf("100 bytes: version %d, %d parts, %v", s.Version, len(s.Parts), err)
	}
	if qrcap.Alphanumeric(6, qrcap.L) >= 208 || qrcap.Alphanumeric(7, qrcap.L) < 208 {
		t.Fatal("capacity table changed")
	}
	// Incompressible data falls back to Base32.
	rnd := make([]byte, 1000)
	for i := range rnd {
		rnd[i] = byte(rand.Uint32())
	}
	for _, e := range []Encoding{0, Zlib} {
		s, err = Encode(rnd, Binary, Options{Encoding: e})
		if err != nil || s.Encoding != Base32 || s.Parts[0][2] != '2' {
			t.Errorf("random data with %q: encoding %c, %v", e, s.Encoding, err)
		}
	}
	// Compressible data is compressed.
	s, err = Encode(bytes.Repeat([]byte("coffer "), 1000), UnicodeText, Options{})
	if err != nil || s.Encoding != Zlib || len(s.Parts) != 1 {
		t.Errorf("text: %c, %d parts, %v", s.Encoding, len(s.Parts), err)
	}
	// The KISS form from BBQr.md: B$HP then count and index.
	s, err = Encode([]byte{0x70, 0x73, 0x62, 0x74, 0xff}, PSBT, Options{Encoding: Hex})
	if err != nil || s.Parts[0] != "B$HP010070736274FF" {
		t.Errorf("small hex PSBT: %q %v", s.Parts, err)
	}
	bad := []struct {
		ft  FileType
		opt Options
	}{
		{'Q', Options{}},
		{PSBT, Options{Encoding: 'X'}},
		{PSBT, Options{Level: 'Z'}},
		{PSBT, Options{MinVersion: 0, MaxVersion: 41}},
		{PSBT, Options{MinParts: 3, MaxParts: 2}},
		{PSBT, Options{MaxVersion: 1, MaxParts: 1}},
	}
	for _, b := range bad {
		if _, err := Encode(rnd[:100], b.ft, b.opt); err == nil {
			t.Errorf("%c %+v accepted", b.ft, b.opt)
		}
	}
	if _, err := Encode(nil, PSBT, Options{}); err == nil {
		t.Error("empty data accepted")
	}
}

func TestBase36(t *testing.T) {
	for _, n := range []int{0, 1, 35, 36, 250, 399, 1295} {
		s := base36(n)
		got, ok := parseBase36(s)
		if !ok || got != n || len(s) != 2 || strings.ToUpper(s) != s {
			t.Errorf("%d -> %q -> %d", n, s, got)
		}
	}
	if base36(1295) != "ZZ" || base36(36) != "10" {
		t.Error("base36 digits")
	}
}

func TestDecoderErrors(t *testing.T) {
	s, err := Encode(bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 300), Binary, Options{Encoding: Hex, MaxVersion: 5})
	if err != nil || len(s.Parts) < 3 {
		t.Fatalf("%d parts, %v", len(s.Parts), err)
	}
	d := NewDecoder(Limits{})
	if err := d.Receive(s.Parts[0]); err != nil {
		t.Fatal(err)
	}
	other, _ := Encode(make([]byte, 2000), Binary, Options{Encoding: Base32, MaxVersion: 5})
	conflict := s.Parts[1][:len(s.Parts[1])-2] + "00"
	if conflict == s.Parts[1] {
		conflict = s.Parts[1][:len(s.Parts[1])-2] + "11"
	}
	if err := d.Receive(s.Parts[1]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"noise", "hello", ErrNotBBQr},
		{"another series", other.Parts[0], new(*OtherSeriesError)},
		{"conflicting repeat", conflict, new(*PartError)},
		{"short header", "B$HP01", new(*PartError)},
		{"bad encoding", "B$QP0100AA", new(*PartError)},
		{"unknown type", "B$HQ0100AA", new(*PartError)},
		{"zero parts", "B$HP0000AA", new(*PartError)},
		{"index out of range", "B$HP0202AA", new(*PartError)},
		{"bad base 36", "B$HP0_00AA", new(*PartError)},
		{"odd hex", "B$HP0100AAA", new(*PartError)},
		{"not hex", "B$HP0100GG", new(*PartError)},
		{"bad base32 length", "B$2P0100AAA", new(*PartError)},
		{"no data", "B$HP0100", new(*PartError)},
		{"too long", "B$HP0100" + strings.Repeat("AA", 9000), new(*PartError)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.Receive(tc.in)
			switch w := tc.want.(type) {
			case error:
				if !errors.Is(err, w) {
					t.Fatalf("err = %v, want %v", err, w)
				}
			case **OtherSeriesError:
				if !errors.As(err, w) {
					t.Fatalf("err = %v, want *OtherSeriesError", err)
				}
			case **PartError:
				if !errors.As(err, w) {
					t.Fatalf("err = %v, want *PartError", err)
				}
			}
		})
	}
	if p := d.Progress(); p.Received != 2 || p.Total != len(s.Parts) {
		t.Fatalf("refused parts changed the decoder: %+v", p)
	}
	if _, _, err := d.Result(); err == nil {
		t.Fatal("Result before completion")
	}
	for _, p := range s.Parts {
		if err := d.Receive(strings.ToLower(p)); err != nil {
			t.Fatal(err)
		}
	}
	if _, got, err := d.Result(); err != nil || len(got) != 2100 {
		t.Fatalf("Result: %d bytes, %v", len(got), err)
	}
	d.Reset()
	if d.Progress() != (Progress{}) || d.Complete() {
		t.Fatal("reset kept state")
	}
}

func TestResultErrors(t *testing.T) {
	var de *DataError
	// Unequal middle parts.
	if _, _, err := Join([]string{"B$HP0300AAAA", "B$HP0301AA", "B$HP0302AA"}, Limits{}); !errors.As(err, &de) {
		t.Errorf("unequal parts: %v", err)
	}
	// A last part longer than the others.
	if _, _, err := Join([]string{"B$HP0200AA", "B$HP0201AAAA"}, Limits{}); !errors.As(err, &de) {
		t.Errorf("long last part: %v", err)
	}
	// Broken deflate.
	if _, _, err := Join([]string{"B$ZP0100" + b32.EncodeToString([]byte{0xff, 0xff, 0xff})}, Limits{}); !errors.As(err, &de) {
		t.Errorf("broken deflate: %v", err)
	}
	// A deflate bomb stops at the limit.
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(make([]byte, 1<<20))
	w.Close()
	if _, _, err := Join([]string{"B$ZB0100" + b32.EncodeToString(z.Bytes())}, Limits{MaxDataLen: 1 << 16}); !errors.As(err, &de) {
		t.Errorf("bomb: %v", err)
	}
	if _, got, err := Join([]string{"B$ZB0100" + b32.EncodeToString(z.Bytes())}, Limits{}); err != nil || len(got) != 1<<20 {
		t.Errorf("1 MiB of zeros: %d, %v", len(got), err)
	}
}

// TestDeflateWindow checks that what Encode writes in mode Z inflates with
// a 1 KiB window, with Python's zlib (wbits=-10), which refuses any
// back-reference further than the window, as Coldcard's inflater would.
func TestDeflateWindow(t *testing.T) {
	py := testvec.RequireTool(t, "python3", "install python3 (Debian: apt-get install -y python3) to check the 1 KiB deflate window")
	for _, f := range testFiles {
		raw, err := os.ReadFile(filepath.Join(dataDir(t), f.name))
		if err != nil {
			t.Fatal(err)
		}
		z, err := deflate(raw)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-22s %6d -> %6d bytes (BBQr.md, zlib level 9: %6d)", f.name, len(raw), len(z), f.zlibRef)
		cmd := exec.Command(py, "-c", "import sys,zlib; d=zlib.decompressobj(wbits=-10); o=d.decompress(sys.stdin.buffer.read()); assert d.eof; sys.stdout.buffer.write(o)")
		cmd.Stdin = bytes.NewReader(z)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || !bytes.Equal(out, raw) {
			t.Fatalf("%s: python zlib wbits=-10: %v %s", f.name, err, stderr.String())
		}
	}
}

func FuzzBBQrDecoder(f *testing.F) {
	for _, l := range readLines(f, "real-scan.txt")[:4] {
		f.Add(l, "B$ZU0800")
	}
	f.Add("B$HP0100AABB", "B$HP0100AABB")
	f.Add("B$2T0200AAAAAAAA", "B$2T0201AA")
	f.Fuzz(func(t *testing.T, a, b string) {
		d := NewDecoder(Limits{MaxDataLen: 1 << 20})
		_ = d.Receive(a)
		_ = d.Receive(b)
		if !d.Complete() {
			return
		}
		ft, data, err := d.Result()
		if err != nil {
			return
		}
		s, err := Encode(data, ft, Options{})
		if len(data) == 0 {
			return
		}
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		ft2, data2, err := Join(s.Parts, Limits{})
		if err != nil || ft2 != ft || !bytes.Equal(data2, data) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func ExampleEncode() {
	s, _ := Encode([]byte("hello"), UnicodeText, Options{Encoding: Hex})
	fmt.Println(s.Version, s.Parts)
	// Output: 5 [B$HU010068656C6C6F]
}
