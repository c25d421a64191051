package qrcli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
)

// NewCommand returns the "qr" command of a binary named prog, with its
// "encode" and "decode" subcommands; asJSON points at the binary's --json.
// Both coffer and coffer-watch add it to their roots.
func NewCommand(prog string, asJSON *bool) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "qr",
		Short: "Move any file across the air gap as animated QR codes",
		Long: `Move a file across the air gap with nothing else: "qr encode" shows it as
animated QR codes (or writes PNG frames or a GIF), "qr decode" reads the codes
back from images or from the text lines of a scanner on stdin.

PSBTs (binary, or base64 starting "cHNidP") go as ur:crypto-psbt, the type
most wallets read (--qr-ur-type psbt for BCR-2020-006's new name); other files
as ur:bytes. With --qr-format bbqr the BBQr file type is P for a PSBT, T for a
transaction, J for JSON, U for text and B otherwise. Every code is decoded back
and compared before it is shown or saved.`,
		Example: fmt.Sprintf(`  %[1]s qr encode request.psbt --qr-out terminal
  %[1]s qr encode request.psbt --qr-out png:frames
  %[1]s qr decode frames/frame-*.png --out request.psbt
  zbarcam --raw | %[1]s qr decode --out request.psbt`, prog),
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newEncodeCommand(prog, asJSON), newDecodeCommand(prog, asJSON))
	return cmd
}

type encodeOptions struct {
	out OutFlags
}

func newEncodeCommand(prog string, asJSON *bool) *cobra.Command {
	o := &encodeOptions{}
	cmd := &cobra.Command{
		Use:   "encode FILE",
		Short: "Show a file as animated QR codes, or write them as PNG frames or a GIF",
		Long: `Encode FILE ("-" for stdin) as QR codes and show them on the terminal or
write them for the other side:

  --qr-out terminal   an animation on the terminal (stderr) until a key is
                      pressed; with no terminal, --qr-loops passes (default 3)
  --qr-out png:DIR    PNG frames DIR/frame-0001.png, ... (DIR may not hold
                      frames already)
  --qr-out gif:FILE   an animated GIF (never overwriting FILE)

PSBTs go as ur:crypto-psbt (--qr-ur-type psbt for the newer name), other files
as ur:bytes; --qr-format bbqr writes BBQr for Coldcard. A base64 PSBT or a hex
transaction is carried as its binary form. The SHA-256 printed is that of the
bytes carried: pass it to "qr decode --expect-sha256" on the other side.`,
		Example: fmt.Sprintf(`  %[1]s qr encode request.psbt --qr-out terminal
  %[1]s qr encode request.psbt --qr-out png:frames --qr-format bbqr
  %[1]s qr encode wallet.txt --qr-out gif:wallet.gif --qr-fps 5`, prog),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEncode(cmd, o, args[0], *asJSON)
		},
	}
	o.out.Register(cmd)
	_ = cmd.MarkFlagRequired("qr-out")
	return cmd
}

func runEncode(cmd *cobra.Command, o *encodeOptions, path string, asJSON bool) error {
	if err := o.out.Check(); err != nil {
		return err
	}
	var data []byte
	var err error
	if path == "-" {
		if data, err = readAllLimit(cmd.InOrStdin(), DefaultMaxBytes); err != nil {
			return cli.Failf("", "stdin: %v", err)
		}
	} else if data, err = ReadFile(path, DefaultMaxBytes); err != nil {
		return err
	}
	if len(data) == 0 {
		return cli.Failf("", "%s is empty: nothing to encode", path)
	}
	s, err := o.out.Write(cmd, data)
	if err != nil {
		return err
	}
	if asJSON {
		return cli.WriteJSON(cmd.OutOrStdout(), s)
	}
	s.Print(cmd.OutOrStdout())
	return nil
}

type decodeOptions struct {
	in  InFlags
	out string
}

func newDecodeCommand(prog string, asJSON *bool) *cobra.Command {
	o := &decodeOptions{}
	cmd := &cobra.Command{
		Use:   "decode [IMAGE...] --out FILE",
		Short: "Read animated QR codes from images or scanner lines into a file",
		Long: `Collect the parts of one UR or BBQr message and write the file they carry.

The parts come from IMAGE files (PNG, JPEG, every frame of a GIF; a folder
stands for every image in it), or, with no IMAGE, from text lines on stdin: a
USB scanner that types as a keyboard, or "zbarcam --raw". Parts may come in any
order, repeated, with noise between them; a corrupt part or a part of another
message is reported and skipped, never merged. A progress line shows the parts
and percent on a terminal.

--out FILE is never overwritten ("-" writes to stdout). --expect-sha256 HEX
refuses a file whose SHA-256 is not the one the writing side printed. An image
that is a symlink out of its folder is refused. A UR of a CBOR structure
(crypto-output, crypto-hdkey, ...) is written as its CBOR.`,
		Example: fmt.Sprintf(`  %[1]s qr decode frames/ --out request.psbt
  %[1]s qr decode request.gif --out request.psbt --expect-sha256 9f86d0...
  zbarcam --raw | %[1]s qr decode --out request.psbt`, prog),
		Args: cobra.ArbitraryArgs, // any number of IMAGE files or folders
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDecode(cmd, prog, o, args, *asJSON)
		},
	}
	cmd.Flags().StringVar(&o.out, "out", "", "write the file here (never overwritten; \"-\" for stdout)")
	o.in.registerExpect(cmd)
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func runDecode(cmd *cobra.Command, prog string, o *decodeOptions, images []string, asJSON bool) error {
	if o.out != "-" {
		if _, err := os.Lstat(o.out); err == nil {
			return cli.Failf("choose another --out, or move the old file away", "--out %s exists and is never overwritten", o.out)
		}
		if err := cli.CheckNewFile(prog, "--out", o.out); err != nil {
			return err
		}
	}
	o.in.qrIn, o.in.AllowCBOR = true, true
	r, err := o.in.Read(cmd, images)
	if err != nil {
		return err
	}
	data := r.Data
	if data == nil {
		data = r.CBOR
		cli.Warn(cmd.ErrOrStderr(), prog, "ur:%s is a CBOR structure, not a file: writing its CBOR", r.Type)
	}
	info := cmd.OutOrStdout()
	if o.out == "-" {
		if _, err := cmd.OutOrStdout().Write(data); err != nil {
			return cli.Failf("", "cannot write to stdout: %v", err)
		}
		info = cmd.ErrOrStderr()
	} else if _, err := WriteFile(o.out, data); err != nil {
		return err
	}
	if asJSON {
		return cli.WriteJSON(info, struct {
			*Received
			Out string `json:"out"`
		}{r, o.out})
	}
	fmt.Fprintln(info, r.Summary())
	if o.out != "-" {
		fmt.Fprintf(info, "wrote %s\n", o.out)
	}
	fmt.Fprintf(info, "sha256 %s\n", r.SHA256)
	return nil
}
