// Package qrcli is the command-line side of crossing the air gap, shared by
// coffer and coffer-watch: the flags that send a command's output as
// animated QR codes (--qr-out terminal|png:DIR|gif:FILE, --qr-format
// ur|bbqr) and read its input from QR images, scanner lines or a file on a
// USB stick (--qr-in, --expect-sha256), and the "qr encode|decode" command
// that moves any file with nothing else. Package qr does the codes; this
// package chooses types, talks to the terminal and checks files.
//
// Sending: put an [OutFlags] in the command's options, call
// [OutFlags.Register], call [OutFlags.Check] before the act that is
// journaled (it refuses a GIF that exists or a folder that holds frames),
// then [OutFlags.Write] with the bytes and print the [Sent] it returns
// ([Sent.Print] or as JSON). [Detect] picks the types: a PSBT (binary, or
// base64 starting "cHNidP") goes as ur:crypto-psbt (ur:psbt with
// --qr-ur-type psbt) or BBQr P, a transaction as BBQr T, JSON as J, text as
// U, anything else as ur:bytes or BBQr B. A command that also has its
// data as a registered CBOR structure (coffer export: crypto-output,
// crypto-account) sends that with [OutFlags.WriteCBOR] when
// [OutFlags.CarriesCBOR] (UR format, no --qr-ur-type). The terminal animation goes to
// stderr and runs until a key is pressed (stdin in raw mode) when stdin and
// stderr are terminals, else for --qr-loops passes ([NonTTYLoops] by
// default). A file written for the other side goes through [WriteFile],
// whose SHA-256 the command prints as "sha256 HEX".
//
// Receiving: put an [InFlags] in the options, call [InFlags.Register], use
// [InFlags.Args] as the command's Args, then [InFlags.Read] with the
// positional arguments. With --qr-in they are images or folders of images
// (none: text lines on stdin from a USB scanner or `zbarcam --raw`), read
// with a progress line on a terminal and a warning for each part refused;
// without it, one FILE or "-". Either way the result is a [Received] with
// the bytes and their SHA-256, checked against --expect-sha256.
//
// The lines each command adds (names as in cmd/coffer):
//
//	// coffer sign (and coffer-watch finalize): in signOptions
//	qrIn  qrcli.InFlags
//	qrOut qrcli.OutFlags
//	// in newSignCommand, after the other flags; Args: o.qrIn.Args(1)
//	o.qrIn.Register(cmd); o.qrOut.Register(cmd)
//	// in runSign, before reading: the bytes come from Read, then sign.Decode
//	r, err := o.qrIn.Read(cmd, args)  // then decode r.Data as the file's bytes
//	// before the journal: if err := o.qrOut.Check(); err != nil { return err }
//	// after writing the signed PSBT:
//	sent, err := o.qrOut.Write(cmd, signed)  // nil, nil without --qr-out
//	if sent != nil { sent.Print(screen) }    // or put it in the JSON result
//
// coffer-watch send needs only the OutFlags lines (its request PSBT);
// coffer-watch wallet import needs only the InFlags lines, with
// o.qrIn.AllowCBOR = true to receive ur:crypto-output or ur:crypto-hdkey
// (Received.Data nil, Received.CBOR for package urtypes). A command that
// reads its PSBT from stdin lines must read later answers from the
// terminal, as coffer sign does for "-".
//
// # Security
//
// Every QR code written is decoded back and compared by package qr before
// it is shown or saved. What is read is bounded ([InFlags.MaxBytes],
// [DefaultMaxBytes], [MaxImages], package qr's image limits). A path that
// is a symlink leading out of its folder is refused, and files are opened
// through an os.Root of their folder so the check cannot be raced.
// QR codes protect against scanning errors, not tampering: --expect-sha256
// checks that what arrived is what the other side wrote, and the signer
// still reviews every PSBT. Parts of another message are reported and
// skipped, never merged. Messages name files, lines and parts, never their
// content.
//
// # Errors
//
// Every error is a *cli.Error (exit code 1) with one lower-case sentence
// naming the file, line or image, and a hint where a next step exists.
// [ErrSHA256Mismatch] (wrapped) is the one callers may branch on: the input
// is not the file --expect-sha256 named. Flag values that cannot be read
// (--qr-out, --qr-format, --qr-ur-type) fail when the flags are parsed.
package qrcli
