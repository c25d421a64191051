package qrcli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/qr"
	"github.com/coffer-custody/coffer/qr/ur"
)

// Defaults of the output flags.
const (
	// NonTTYLoops is how many times the frames are drawn when no terminal
	// can take a key press to stop them (and --qr-loops is not given).
	NonTTYLoops = 3
	// MaxFPS bounds --qr-fps.
	MaxFPS = 100
	// MaxScale bounds --qr-scale: a version 40 code (185 modules with its
	// quiet zone) at 24 pixels a module is 4,440 pixels wide, within what
	// the reading side takes (qr.ImageLimits, 25 million pixels a frame).
	MaxScale = 24
)

// Target is where --qr-out sends the codes.
type Target struct {
	Kind string // "terminal", "png" or "gif"
	Path string // the folder of png:DIR, the file of gif:FILE
}

func (t Target) String() string {
	if t.Kind == "terminal" || t.Kind == "" {
		return t.Kind
	}
	return t.Kind + ":" + t.Path
}

// ParseTarget reads a --qr-out value: terminal, png:DIR or gif:FILE.
func ParseTarget(s string) (Target, error) {
	if s == "terminal" {
		return Target{Kind: "terminal"}, nil
	}
	kind, path, ok := strings.Cut(s, ":")
	if ok && (kind == "png" || kind == "gif") {
		if path == "" {
			if kind == "png" {
				return Target{}, errors.New("png: needs a folder, as in png:frames")
			}
			return Target{}, errors.New("gif: needs a file, as in gif:request.gif")
		}
		return Target{Kind: kind, Path: path}, nil
	}
	return Target{}, errors.New("want terminal, png:DIR or gif:FILE")
}

// targetValue is --qr-out, read when the flags are parsed.
type targetValue struct{ t *Target }

func (v targetValue) String() string { return v.t.String() }
func (v targetValue) Type() string   { return "WHERE" }
func (v targetValue) Set(s string) error {
	t, err := ParseTarget(s)
	if err != nil {
		return err
	}
	*v.t = t
	return nil
}

// formatValue is --qr-format.
type formatValue struct{ f *qr.Format }

func (v formatValue) String() string { return v.f.String() }
func (v formatValue) Type() string   { return "ur|bbqr" }
func (v formatValue) Set(s string) error {
	f, err := qr.ParseFormat(s)
	if err != nil {
		return errors.New("want ur or bbqr")
	}
	*v.f = f
	return nil
}

// urTypeValue is --qr-ur-type.
type urTypeValue struct{ s *string }

func (v urTypeValue) String() string { return *v.s }
func (v urTypeValue) Type() string   { return "TYPE" }
func (v urTypeValue) Set(s string) error {
	switch s {
	case ur.TypeBytes, ur.TypeCryptoPSBT, ur.TypePSBT:
		*v.s = s
		return nil
	}
	return errors.New("want crypto-psbt, psbt or bytes")
}

// OutFlags are --qr-out and the flags that tune it. The zero value is
// ready; Register adds the flags to a command.
type OutFlags struct {
	target   Target
	format   qr.Format
	urType   string
	density  int
	fps      float64
	loops    int
	inverted bool
	scale    int
}

// Register adds --qr-out, --qr-format, --qr-ur-type, --qr-density,
// --qr-fps, --qr-scale, --qr-loops and --qr-inverted to cmd.
func (o *OutFlags) Register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Var(targetValue{&o.target}, "qr-out", "show or write animated QR codes: terminal, png:DIR (frame-0001.png, ...) or gif:FILE")
	f.Var(formatValue{&o.format}, "qr-format", "QR format: ur (Sparrow, Keystone, SeedSigner, ...) or bbqr (Coldcard)")
	f.Var(urTypeValue{&o.urType}, "qr-ur-type", "UR type of a PSBT: crypto-psbt (default) or psbt (BCR-2020-006's new name); bytes for any file")
	f.IntVar(&o.density, "qr-density", 0, fmt.Sprintf("bytes per QR frame (default %d for UR; BBQr picks QR version 5 to %d)", qr.DefaultFragmentLen, qr.DefaultBBQrMaxVersion))
	f.Float64Var(&o.fps, "qr-fps", qr.DefaultFPS, "frames per second of the animation (terminal and GIF)")
	f.IntVar(&o.scale, "qr-scale", 0, fmt.Sprintf("frame size of PNG and GIF: pixels per QR module, 1 to %d (default %d for PNG, %d for GIF)", MaxScale, qr.DefaultPNGScale, qr.DefaultGIFScale))
	f.IntVar(&o.loops, "qr-loops", 0, fmt.Sprintf("terminal: stop after this many passes (default: until a key is pressed; %d with no terminal)", NonTTYLoops))
	f.BoolVar(&o.inverted, "qr-inverted", false, "terminal: light modules, for a dark background")
}

// Set reports whether --qr-out was given.
func (o *OutFlags) Set() bool { return o.target.Kind != "" }

// Target is the parsed --qr-out (zero when not given).
func (o *OutFlags) Target() Target { return o.target }

// Check refuses flags that cannot work and a target that would overwrite
// something: a GIF file that exists, a folder that already holds frames.
// Call it before any act that is journaled; Write calls it again.
func (o *OutFlags) Check() error {
	if !o.Set() {
		return nil
	}
	if o.format == qr.FormatBBQr && o.urType != "" {
		return cli.Failf("drop --qr-ur-type: BBQr picks its file type from the file", "--qr-ur-type goes with --qr-format ur")
	}
	if o.density < 0 {
		return cli.Failf("", "--qr-density %d is below 0", o.density)
	}
	if o.fps <= 0 || o.fps > MaxFPS || math.IsNaN(o.fps) {
		return cli.Failf(fmt.Sprintf("phones and scanners read 2 to 10 frames a second (default %g)", qr.DefaultFPS), "--qr-fps %g is not above 0 and at most %d", o.fps, MaxFPS)
	}
	if o.loops < 0 {
		return cli.Failf("", "--qr-loops %d is below 0", o.loops)
	}
	if o.scale < 0 || o.scale > MaxScale {
		return cli.Failf(fmt.Sprintf("--qr-scale is pixels per module (default %d for PNG, %d for GIF)", qr.DefaultPNGScale, qr.DefaultGIFScale), "--qr-scale %d is not between 1 and %d", o.scale, MaxScale)
	}
	switch o.target.Kind {
	case "gif":
		if _, err := os.Lstat(o.target.Path); err == nil {
			return cli.Failf("choose another file, or move the old one away", "--qr-out gif:%s: the file exists and is never overwritten", o.target.Path)
		}
		if err := cli.CheckNewFile("", "--qr-out gif:", o.target.Path); err != nil {
			return err
		}
	case "png":
		fi, err := os.Stat(o.target.Path)
		if err == nil && !fi.IsDir() {
			return cli.Failf("name a folder for the frames", "--qr-out png:%s is not a folder", o.target.Path)
		}
		if err == nil {
			if old, _ := filepath.Glob(filepath.Join(o.target.Path, "frame-*.png")); len(old) > 0 {
				return cli.Failf("choose an empty folder, or move the old frames away", "--qr-out png:%s already holds frames (%s): frames of two runs never mix", o.target.Path, filepath.Base(old[0]))
			}
		}
	}
	return nil
}

// FileSum is a file written for the other side and its SHA-256.
type FileSum struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Sent describes the codes Write showed or wrote. It prints as JSON as it
// stands.
type Sent struct {
	Target  string `json:"target"`         // terminal, png:DIR or gif:FILE
	Format  string `json:"format"`         // ur or bbqr
	Type    string `json:"type"`           // crypto-psbt, psbt, bytes; BBQr's PSBT, Transaction, JSON, ...
	Kind    string `json:"kind"`           // what the file is: PSBT, transaction, JSON, text, binary
	From    string `json:"from,omitempty"` // base64 or hex: the text form turned into binary
	Frames  int    `json:"frames"`
	Version int    `json:"qr_version"`
	Bytes   int    `json:"bytes"`
	// SHA256 is the hash of the bytes carried: what the reading side gets
	// and checks with --expect-sha256.
	SHA256 string    `json:"sha256"`
	Files  []FileSum `json:"files,omitempty"`
}

// Print writes the summary lines: what was shown or written, then
// "sha256 HEX" of the bytes carried.
func (s *Sent) Print(w io.Writer) {
	what := fmt.Sprintf("%s %s, QR version %d", s.Format, s.Type, s.Version)
	if s.Format == "ur" {
		what = fmt.Sprintf("ur:%s, QR version %d", s.Type, s.Version)
	}
	from := ""
	if s.From != "" {
		from = fmt.Sprintf(", %s %s carried as binary", s.From, s.Kind)
	}
	switch {
	case strings.HasPrefix(s.Target, "png:"):
		fmt.Fprintf(w, "wrote %s in %s (%s, %d bytes%s)\n", plural(s.Frames, "frame"), strings.TrimPrefix(s.Target, "png:"), what, s.Bytes, from)
	case strings.HasPrefix(s.Target, "gif:"):
		fmt.Fprintf(w, "wrote %s (%s, %s, %d bytes%s)\n", strings.TrimPrefix(s.Target, "gif:"), plural(s.Frames, "frame"), what, s.Bytes, from)
	default:
		fmt.Fprintf(w, "showed %s (%s, %d bytes%s)\n", plural(s.Frames, "frame"), what, s.Bytes, from)
	}
	fmt.Fprintf(w, "sha256 %s\n", s.SHA256)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Write encodes data as QR codes (each decoded back and checked by package
// qr) and shows them on the terminal (stderr, with a key press to stop on a
// terminal) or writes them as PNG frames or a GIF, by --qr-out. A PSBT goes
// as ur:crypto-psbt (or --qr-ur-type) or BBQr type P, a transaction as BBQr
// T, JSON as J, text as U, anything else as ur:bytes or BBQr B. It does
// nothing and returns nil when --qr-out was not given.
func (o *OutFlags) Write(cmd *cobra.Command, data []byte) (*Sent, error) {
	if !o.Set() {
		return nil, nil
	}
	if err := o.Check(); err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, cli.Failf("", "nothing to encode: the data is empty")
	}
	c := Detect(data)
	opt := qr.FrameOptions{Format: o.format, MaxFragmentLen: o.density}
	typ := ""
	if o.format == qr.FormatUR {
		if (o.urType == ur.TypeCryptoPSBT || o.urType == ur.TypePSBT) && c.Kind != KindPSBT {
			return nil, cli.Failf("use --qr-ur-type bytes, or leave it out", "--qr-ur-type %s: the data is %s, not a PSBT", o.urType, c.Kind)
		}
		typ = urTypeFor(c.Kind, o.urType)
		if o.urType == ur.TypeBytes {
			typ = ur.TypeBytes
		}
		opt.URType = typ
	} else {
		opt.BBQrType = c.Kind.bbqrType()
		typ = opt.BBQrType.Name()
	}
	codes, err := qr.Frames(c.Data, opt)
	if err != nil {
		hint := ""
		if errors.Is(err, qr.ErrTooLong) {
			hint = "lower --qr-density"
		}
		return nil, cli.Fail(cli.ExitError, fmt.Errorf("cannot make %s QR codes of %d bytes: %v", o.format, len(c.Data), err), hint)
	}
	sum := sha256.Sum256(c.Data)
	s := &Sent{
		Target: o.target.String(), Format: o.format.String(), Type: typ, Kind: c.Kind.String(), From: c.From,
		Frames: len(codes), Version: codes[0].Version(), Bytes: len(c.Data), SHA256: hex.EncodeToString(sum[:]),
	}
	return o.emit(cmd, codes, s)
}

// CarriesCBOR reports whether a command that has its data as a registered
// CBOR structure too (a crypto-output, a crypto-account) should send it
// with WriteCBOR: --qr-out given, --qr-format ur, and no --qr-ur-type
// (--qr-ur-type bytes keeps the file as ur:bytes).
func (o *OutFlags) CarriesCBOR() bool {
	return o.Set() && o.format == qr.FormatUR && o.urType == ""
}

// WriteCBOR is Write for a UR of a registered CBOR structure: message is
// the CBOR of a value of UR type typ (e.g. crypto-output), sent as it is.
// The parts are checked to reassemble to message and every code is decoded
// back, as Write does. Call it only when CarriesCBOR is true.
func (o *OutFlags) WriteCBOR(cmd *cobra.Command, typ string, message []byte) (*Sent, error) {
	if !o.CarriesCBOR() {
		return nil, cli.Failf("", "ur:%s needs --qr-out with --qr-format ur and no --qr-ur-type", typ)
	}
	if err := o.Check(); err != nil {
		return nil, err
	}
	texts, err := urTexts(typ, message, o.density)
	if err != nil {
		return nil, cli.Failf("", "cannot make ur:%s parts of %d bytes: %v", typ, len(message), err)
	}
	codes, err := qr.EncodeSeries(texts, 0, qr.LevelL)
	if err != nil {
		hint := ""
		if errors.Is(err, qr.ErrTooLong) {
			hint = "lower --qr-density"
		}
		return nil, cli.Fail(cli.ExitError, fmt.Errorf("cannot make ur QR codes of %d bytes: %v", len(message), err), hint)
	}
	s := &Sent{
		Target: o.target.String(), Format: o.format.String(), Type: typ, Kind: "CBOR",
		Frames: len(codes), Version: codes[0].Version(), Bytes: len(message), SHA256: sha256Hex(message),
	}
	return o.emit(cmd, codes, s)
}

// urTexts splits a UR of message into the texts of an animation (upper
// case, the fragments once and half as many fountain parts again, as
// package qr does for files) and checks that they reassemble to message.
func urTexts(typ string, message []byte, density int) ([]string, error) {
	u, err := ur.New(typ, message)
	if err != nil {
		return nil, err
	}
	if density == 0 {
		density = qr.DefaultFragmentLen
	}
	e, err := ur.NewEncoder(u, ur.EncoderOptions{MaxFragmentLen: density})
	if err != nil {
		return nil, err
	}
	n := e.SeqLen() + e.SeqLen()/2
	if e.IsSinglePart() {
		n = 1
	}
	texts := make([]string, n)
	d := ur.NewDecoder(ur.Limits{})
	for i := range texts {
		texts[i] = strings.ToUpper(e.NextPart())
		if !d.Complete() {
			if err := d.Receive(texts[i]); err != nil {
				return nil, fmt.Errorf("part %d does not read back: %v", i+1, err)
			}
		}
	}
	back, err := d.Result()
	if err != nil || back.Type != u.Type || !bytes.Equal(back.CBOR, message) {
		return nil, fmt.Errorf("the parts do not reassemble to the message (%v)", err)
	}
	return texts, nil
}

// emit shows or writes the checked codes by --qr-out and completes s.
func (o *OutFlags) emit(cmd *cobra.Command, codes []*qr.Code, s *Sent) (*Sent, error) {
	switch o.target.Kind {
	case "terminal":
		if err := o.show(cmd, codes); err != nil {
			return nil, cli.Failf("", "cannot show the QR codes: %v", err)
		}
	case "png":
		paths, err := qr.WritePNGFrames(o.target.Path, codes, o.scale)
		if err != nil {
			return nil, cli.Failf("choose an empty folder for --qr-out png:DIR", "cannot write the frames to %s: %v", o.target.Path, err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, cli.Failf("", "cannot read back %s: %v", p, err)
			}
			s.Files = append(s.Files, FileSum{Path: p, SHA256: sha256Hex(b)})
		}
	case "gif":
		var buf bytes.Buffer
		if err := qr.WriteGIF(&buf, codes, o.scale, o.fps); err != nil {
			return nil, cli.Failf("", "cannot make the GIF: %v", err)
		}
		if err := atomicfile.WriteNew(o.target.Path, buf.Bytes(), 0o644); err != nil {
			hint := ""
			if errors.Is(err, fs.ErrExist) {
				hint = "choose another file, or move the old one away"
			}
			return nil, cli.Fail(cli.ExitError, fmt.Errorf("cannot write %s: %v", o.target.Path, err), hint)
		}
		s.Files = []FileSum{{Path: o.target.Path, SHA256: sha256Hex(buf.Bytes())}}
	}
	return s, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// WriteFile writes data for the other side to path: a new file (never
// overwriting one), atomically, mode 0644. It returns the file's SHA-256,
// which the command prints as "sha256 HEX" for the reading side's
// --expect-sha256.
func WriteFile(path string, data []byte) (FileSum, error) {
	if err := atomicfile.WriteNew(path, data, 0o644); err != nil {
		hint := ""
		if errors.Is(err, fs.ErrExist) {
			hint = "choose another file, or move the old one away"
		}
		return FileSum{}, cli.Fail(cli.ExitError, fmt.Errorf("cannot write %s: %v", path, unwrapPath(err)), hint)
	}
	return FileSum{Path: path, SHA256: sha256Hex(data)}, nil
}
