package qrcli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/qr"
	"github.com/coffer-custody/coffer/qr/bbqr"
	"github.com/coffer-custody/coffer/qr/ur"
)

// DefaultMaxBytes bounds what Read accepts when InFlags.MaxBytes is 0.
const DefaultMaxBytes = 64 << 20

// maxImageBytes bounds one image file, as package qr does by default.
const maxImageBytes = 64 << 20

// MaxImages bounds the image files one Read takes (a folder of frames).
const MaxImages = 20000

// ErrSHA256Mismatch is the error (wrapped) of a read whose SHA-256 is not
// the one --expect-sha256 named: the file changed on its way.
var ErrSHA256Mismatch = errors.New("sha256 mismatch")

// imageExts are the files of a folder that Read scans.
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif"}

// InFlags are --qr-in and --expect-sha256: how a command reads what the
// other side wrote, from a file (a USB stick), from QR images or from the
// text lines of a scanner on stdin.
type InFlags struct {
	// MaxBytes bounds the data read (a file, or a message from QR parts);
	// 0 means DefaultMaxBytes. Set it before Read.
	MaxBytes int
	// AllowCBOR lets Read return a UR whose CBOR is not a byte string
	// (crypto-output, crypto-hdkey, crypto-account) with Received.Data nil
	// and Received.CBOR set; otherwise such a UR is refused.
	AllowCBOR bool

	qrIn   bool
	expect string
}

// Register adds --qr-in and --expect-sha256 to cmd.
func (f *InFlags) Register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.qrIn, "qr-in", false, "read QR codes: the arguments are images (PNG, JPEG, GIF) or folders of them; with none, text lines from stdin (a USB scanner, zbarcam --raw)")
	f.registerExpect(cmd)
}

// RegisterExpect adds --expect-sha256 alone, for a command that reads a
// file by its own means and checks it with Check.
func (f *InFlags) RegisterExpect(cmd *cobra.Command) { f.registerExpect(cmd) }

func (f *InFlags) registerExpect(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.expect, "expect-sha256", "", "refuse the input unless its SHA-256 is this (64 hex digits, as printed by the writing side)")
}

// QR reports whether --qr-in was given.
func (f *InFlags) QR() bool { return f.qrIn }

// Received is what Read got. It prints as JSON as it stands.
type Received struct {
	Source   string `json:"source"`             // a file, "stdin", or "N images"
	Format   string `json:"format,omitempty"`   // ur or bbqr (from QR codes)
	Type     string `json:"type,omitempty"`     // UR type, or BBQr file type name
	Parts    int    `json:"parts,omitempty"`    // parts used (UR: repeats included)
	Rejected int    `json:"rejected,omitempty"` // parts refused: corrupt or of another message
	Bytes    int    `json:"bytes"`
	SHA256   string `json:"sha256"` // of Data, or of CBOR when Data is nil
	// Data is the file. It is nil for a UR of another structure than a
	// byte string (only with AllowCBOR).
	Data []byte `json:"-"`
	// CBOR is the message of a UR.
	CBOR []byte `json:"-"`
}

// Summary is one line saying what was read.
func (r *Received) Summary() string {
	if r.Format == "" {
		return fmt.Sprintf("read %s (%d bytes)", r.Source, r.Bytes)
	}
	typ := r.Format + " " + r.Type
	if r.Format == "ur" {
		typ = "ur:" + r.Type
	}
	rej := ""
	if r.Rejected > 0 {
		rej = fmt.Sprintf(", %d refused", r.Rejected)
	}
	return fmt.Sprintf("read %s from %s (%d bytes, %s%s)", typ, r.Source, r.Bytes, plural(r.Parts, "part"), rej)
}

func (f *InFlags) maxBytes() int {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return DefaultMaxBytes
}

// checkExpect validates --expect-sha256 before anything is read.
func (f *InFlags) checkExpect() (string, error) {
	if f.expect == "" {
		return "", nil
	}
	want := strings.ToLower(f.expect)
	if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
		return "", cli.Failf("copy the 64 hex digits of the \"sha256\" line the writing side printed", "--expect-sha256 %q is not 64 hex digits", f.expect)
	}
	return want, nil
}

// Read reads the input of a command. With --qr-in, paths are images or
// folders of images (every .png, .jpg, .jpeg and .gif file in name order)
// and, when there are none, stdin gives text lines; the parts are collected
// into one message, with a progress line on a terminal and a warning for
// each part refused. Without --qr-in, paths must name one file ("-" for
// stdin), read whole. Either way a path that is a symlink out of its folder
// is refused, the size is bounded by MaxBytes, and --expect-sha256 is
// checked.
func (f *InFlags) Read(cmd *cobra.Command, paths []string) (*Received, error) {
	if f.qrIn {
		return f.readQR(cmd, paths)
	}
	want, err := f.checkExpect()
	if err != nil {
		return nil, err
	}
	if len(paths) != 1 {
		return nil, cli.Failf("name one file, or pass --qr-in to read QR codes from images or stdin", "want one input file, got %d", len(paths))
	}
	var data []byte
	source := paths[0]
	if source == "-" {
		source = "stdin"
		data, err = readAllLimit(cmd.InOrStdin(), f.maxBytes())
		if err != nil {
			return nil, cli.Failf("", "stdin: %v", err)
		}
	} else if data, err = ReadFile(source, f.maxBytes()); err != nil {
		return nil, err
	}
	r := &Received{Source: source, Data: data, Bytes: len(data), SHA256: sha256Hex(data)}
	return r, checkSum(r, want)
}

// Check applies --expect-sha256 to data a command read by its own means
// (source names it in the error); it returns nil when the flag is not set.
// Read checks what it reads itself.
func (f *InFlags) Check(source string, data []byte) error {
	want, err := f.checkExpect()
	if err != nil || want == "" {
		return err
	}
	return checkSum(&Received{Source: source, SHA256: sha256Hex(data)}, want)
}

// checkSum compares the SHA-256 of what was read with --expect-sha256.
func checkSum(r *Received, want string) error {
	if want == "" || r.SHA256 == want {
		return nil
	}
	return cli.Fail(cli.ExitError, &mismatchError{fmt.Sprintf("%s: sha256 %s is not the expected %s", r.Source, r.SHA256, want)},
		"the data changed on its way, or this is another file: get it again from the writing side")
}

// mismatchError is ErrSHA256Mismatch with the file and both hashes named.
type mismatchError struct{ msg string }

func (e *mismatchError) Error() string        { return e.msg }
func (e *mismatchError) Is(target error) bool { return target == ErrSHA256Mismatch }

func readAllLimit(r io.Reader, max int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}

// ReadFile reads a regular file of at most max bytes. It refuses a path
// that is a symlink leading out of its folder (a file on a USB stick that
// points at /home or /etc): the file is opened through an os.Root of the
// folder, so the check cannot be raced.
func ReadFile(path string, max int) ([]byte, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if name == "" || name == "." || name == ".." {
		return nil, cli.Failf("", "%s is not a file", path)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, cli.Failf("", "cannot open the folder of %s: %v", path, unwrapPath(err))
	}
	defer root.Close()
	return readInRoot(root, dir, name, path, max)
}

// readInRoot opens name inside root (the folder dir), refusing symlinks out.
func readInRoot(root *os.Root, dir, name, shown string, max int) ([]byte, error) {
	if fi, err := root.Lstat(name); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if escapes(dir, name) {
			return nil, cli.Failf("copy the file itself into the folder; a link out of it is never followed",
				"%s is a symlink out of its folder %s: refused", shown, filepath.Clean(dir))
		}
	}
	file, err := root.Open(name)
	if err != nil {
		if fi, lerr := root.Lstat(name); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
			return nil, cli.Failf("copy the file itself into the folder; a link out of it is never followed",
				"%s is a symlink out of its folder %s: refused", shown, filepath.Clean(dir))
		}
		return nil, cli.Failf("", "cannot open %s: %v", shown, unwrapPath(err))
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return nil, cli.Failf("", "cannot read %s: %v", shown, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, cli.Failf("", "%s is not a regular file", shown)
	}
	data, err := readAllLimit(file, max)
	if err != nil {
		return nil, cli.Failf("", "cannot read %s: %v", shown, unwrapPath(err))
	}
	return data, nil
}

// LinksOut reports whether dir/name is a symlink that resolves outside dir
// (a file on a USB stick pointing at /home or /etc). The commands that read
// a file named on the command line refuse such a link; open the file
// through an os.Root of dir as well, so the answer cannot be raced.
func LinksOut(dir, name string) bool {
	fi, err := os.Lstat(filepath.Join(dir, name))
	return err == nil && fi.Mode()&os.ModeSymlink != 0 && escapes(dir, name)
}

// escapes reports whether the symlink dir/name resolves outside dir.
func escapes(dir, name string) bool {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return true
	}
	target, err := filepath.EvalSymlinks(filepath.Join(dir, name))
	if err != nil {
		// A dangling link: judge where it points.
		link, lerr := os.Readlink(filepath.Join(dir, name))
		if lerr != nil {
			return true
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(realDir, link)
		}
		target = filepath.Clean(link)
	}
	rel, err := filepath.Rel(realDir, target)
	return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel)
}

// unwrapPath drops the operation and path of an *os.PathError: messages
// name the file themselves.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readQR collects one message from images or stdin lines.
func (f *InFlags) readQR(cmd *cobra.Command, paths []string) (*Received, error) {
	want, err := f.checkExpect()
	if err != nil {
		return nil, err
	}
	max := f.maxBytes()
	c := qr.NewCollector(qr.Limits{UR: ur.Limits{MaxMessageLen: max + 16}, BBQr: bbqr.Limits{MaxDataLen: max}})
	p := newProgress(cmd)
	var (
		pl     *qr.Payload
		source string
	)
	if len(paths) == 0 {
		source = "stdin"
		pl, err = qr.ScanLines(cmd.InOrStdin(), c, func(e qr.LineEvent) {
			p.event(fmt.Sprintf("line %d", e.Line), e.Err, e.Progress)
		})
		p.done()
		if err != nil {
			return nil, incomplete("stdin", c, err, "scan every frame until the count reaches 100%, then end the input (Ctrl-D)")
		}
	} else {
		var n int
		pl, n, err = scanImages(paths, c, p)
		p.done()
		source = plural(n, "image")
		if err != nil {
			return nil, err
		}
	}
	r := &Received{Source: source, Format: pl.Format.String(), Data: pl.Data, CBOR: pl.CBOR}
	prog := c.Progress()
	r.Parts, r.Rejected = prog.Received, prog.Rejected
	if pl.Format == qr.FormatUR {
		r.Type = pl.URType
	} else {
		r.Type = pl.BBQrType.Name()
	}
	if r.Data == nil {
		if !f.AllowCBOR {
			return nil, cli.Failf("this command reads files, PSBTs and bytes: use the command that imports that structure",
				"%s: ur:%s is a CBOR structure, not a file", source, pl.URType)
		}
		r.Bytes, r.SHA256 = len(r.CBOR), sha256Hex(r.CBOR)
	} else {
		r.Bytes, r.SHA256 = len(r.Data), sha256Hex(r.Data)
	}
	if r.Bytes > max {
		return nil, cli.Failf("", "%s: the message is %d bytes, more than the %d this command reads", source, r.Bytes, max)
	}
	return r, checkSum(r, want)
}

// incomplete turns the end of input before a whole message into our error.
func incomplete(source string, c *qr.Collector, err error, hint string) error {
	var me *ur.MessageError
	if errors.As(err, &me) {
		return cli.Failf("scan the codes again from the start", "%s: the parts rebuilt a message that fails its checksum (%v)", source, err)
	}
	pr := c.Progress()
	if !pr.Started {
		if pr.Rejected > 0 {
			return cli.Failf(hint, "%s held no usable UR or BBQr part (%d refused)", source, pr.Rejected)
		}
		return cli.Failf(hint, "%s held no UR or BBQr part", source)
	}
	if c.Complete() {
		return cli.Failf("", "%s: cannot rebuild the message: %v", source, err)
	}
	return cli.Failf(hint, "%s ended with %d of %d parts (%.0f%%): the message is incomplete", source, pr.Received, pr.Needed, pr.Percent)
}

// imageFile is one image to scan: the folder it is opened from and its name.
type imageFile struct{ dir, name, shown string }

// listImages expands folders into their image files, in name order.
func listImages(paths []string) ([]imageFile, error) {
	var out []imageFile
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err == nil && fi.IsDir() {
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil, cli.Failf("", "cannot list %s: %v", p, unwrapPath(err))
			}
			n := 0
			for _, e := range entries {
				ext := strings.ToLower(filepath.Ext(e.Name()))
				for _, x := range imageExts {
					if ext == x && !e.IsDir() {
						out = append(out, imageFile{dir: p, name: e.Name(), shown: filepath.Join(p, e.Name())})
						n++
					}
				}
			}
			if n == 0 {
				return nil, cli.Failf("name the folder that holds the frames (frame-0001.png, ...)", "%s holds no PNG, JPEG or GIF file", p)
			}
		} else {
			dir, name := filepath.Split(p)
			if dir == "" {
				dir = "."
			}
			out = append(out, imageFile{dir: dir, name: name, shown: p})
		}
		if len(out) > MaxImages {
			return nil, cli.Failf("", "more than %d images: split the input", MaxImages)
		}
	}
	return out, nil
}

// scanImages feeds the codes of every image to c until the message is
// whole. It returns the payload and how many images it read.
func scanImages(paths []string, c *qr.Collector, p *progress) (*qr.Payload, int, error) {
	files, err := listImages(paths)
	if err != nil {
		return nil, 0, err
	}
	roots := map[string]*os.Root{}
	defer func() {
		for _, r := range roots {
			r.Close()
		}
	}()
	read := 0
	for _, im := range files {
		root := roots[im.dir]
		if root == nil {
			if root, err = os.OpenRoot(im.dir); err != nil {
				return nil, read, cli.Failf("", "cannot open the folder of %s: %v", im.shown, unwrapPath(err))
			}
			roots[im.dir] = root
		}
		data, err := readInRoot(root, im.dir, im.name, im.shown, maxImageBytes)
		if err != nil {
			return nil, read, err
		}
		read++
		found, err := qr.ScanImage(bytes.NewReader(data), qr.ImageLimits{MaxFileBytes: maxImageBytes})
		if errors.Is(err, qr.ErrNoCode) {
			p.warn("%s: no QR code found, skipped", im.shown)
			continue
		}
		if err != nil {
			return nil, read, cli.Failf("", "cannot read the image %s: %v", im.shown, strings.TrimPrefix(err.Error(), "qr: "))
		}
		for _, fd := range found {
			where := im.shown
			if len(found) > 1 {
				where = fmt.Sprintf("%s code %d", im.shown, fd.Frame)
			}
			addErr := c.Add(fd.Content)
			p.event(where, addErr, c.Progress())
			var me *ur.MessageError
			if errors.As(addErr, &me) {
				return nil, read, incomplete(where, c, addErr, "")
			}
			if c.Complete() {
				pl, err := c.Result()
				if err != nil {
					return nil, read, incomplete(plural(read, "image"), c, err, "")
				}
				return pl, read, nil
			}
		}
	}
	return nil, read, incomplete(fmt.Sprintf("the %s", plural(read, "image")), c, errors.New("input ended"),
		"name every frame (a glob such as frames/frame-*.png lists them in order), or the folder that holds them")
}

// progress prints the progress line on a terminal (stderr) and a warning
// for every part refused.
type progress struct {
	w     io.Writer
	prog  string
	live  bool // stderr is a terminal: one line redrawn in place
	drawn bool
	noise int
}

func newProgress(cmd *cobra.Command) *progress {
	w := cmd.ErrOrStderr()
	_, live := terminalFile(w)
	return &progress{w: w, prog: cmd.Root().Name(), live: live}
}

// line is the progress line.
func progressLine(pr qr.Progress, noise int) string {
	if !pr.Started {
		return fmt.Sprintf("scanning: no part yet (%d other lines or codes)", noise)
	}
	typ := pr.Format.String() + " " + pr.Type
	if pr.Format == qr.FormatUR {
		typ = "ur:" + pr.Type
	}
	s := fmt.Sprintf("scanning %s: %d of %d parts, %.0f%%", typ, pr.Received, pr.Needed, pr.Percent)
	if pr.Rejected > 0 {
		s += fmt.Sprintf(", %d refused", pr.Rejected)
	}
	return s
}

func (p *progress) event(where string, err error, pr qr.Progress) {
	switch {
	case err == nil:
	case errors.Is(err, qr.ErrNoise):
		p.noise++
	default:
		p.warn("%s: %s, skipped (%s)", where, refusal(err), strings.TrimPrefix(err.Error(), "qr: "))
	}
	if p.live {
		fmt.Fprintf(p.w, "\r\x1b[2K%s", progressLine(pr, p.noise))
		p.drawn = true
	}
}

// refusal names why a part was refused.
func refusal(err error) string {
	var (
		om *ur.OtherMessageError
		ob *bbqr.OtherSeriesError
		fe *qr.FormatError
	)
	if errors.As(err, &om) || errors.As(err, &ob) || errors.As(err, &fe) {
		return "part of another message"
	}
	return "corrupt part"
}

func (p *progress) warn(format string, args ...any) {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawn = false
	}
	cli.Warn(p.w, p.prog, format, args...)
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// Args is the positional-argument rule of a command that reads one FILE
// (or "-" for stdin) without --qr-in, and any number of images (none: stdin
// lines) with it. Use it as the command's Args.
func (f *InFlags) Args(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if f.qrIn {
			return nil
		}
		return cobra.ExactArgs(n)(cmd, args)
	}
}
