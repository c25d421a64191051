package approval

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/sign"
)

var created = time.Date(2025, 6, 11, 12, 0, 0, 0, time.UTC)

func testKey(t testing.TB, tag string) *PrivateKey {
	t.Helper()
	seed := sha256.Sum256([]byte("approval test key " + tag))
	k, err := GenerateKey(bytes.NewReader(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testReview is the review of a two-output transaction; its fields are the
// ones an approval reads.
func testReview() *sign.Review {
	return &sign.Review{
		Network: "regtest", TxID: strings.Repeat("ab", 32), FeeKnown: true, Fee: 1000,
		Outputs: []sign.OutputReview{
			{Index: 0, Address: "bcrt1qjgx204hxfwuse548jc34fjzg6ffq8pvrz8x53u", Script: "0014920ca7d6e64bb90cd2a79623549648d25203858c", Amount: 50_000},
			{Index: 1, Script: "6a0474657374", Type: "op_return"},
		},
	}
}

func testDoc(t testing.TB) []byte {
	t.Helper()
	d, err := New(Request{Review: testReview(), Approver: "bob", Initiator: "alice", Created: created, Lifetime: 24 * time.Hour, Reason: "payout 42"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDocumentRoundTrip(t *testing.T) {
	b := testDoc(t)
	d, err := ParseDocument(b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.Marshal()
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("document does not re-serialize to itself:\n%s\n%s", b, again)
	}
	if d.Matches(testReview()) != "" {
		t.Fatalf("document does not match its review: %s", d.Matches(testReview()))
	}
	if !d.Expires.Equal(created.Add(24*time.Hour)) || d.Approver != "bob" || d.Initiator != "alice" || len(d.Outputs) != 2 {
		t.Fatalf("document: %+v", d)
	}
	r := testReview()
	r.Outputs[0].Amount++
	if why := d.Matches(r); !strings.Contains(why, "approves output #0 as 50000 sat to bcrt1qjgx204hxfwuse548jc34fjzg6ffq8pvrz8x53u, but the transaction pays 50001 sat") {
		t.Fatalf("mismatch: %q", why)
	}
}

func TestDocumentStrict(t *testing.T) {
	b := string(testDoc(t))
	cases := map[string]struct {
		text string
		want string
	}{
		"unknown field":     {strings.Replace(b, `"fee_sat"`, `"fees_sat"`, 1), `unknown field "fees_sat"`},
		"repeated field":    {strings.Replace(b, `"approver": "bob",`, `"approver": "bob", "approver": "mallory",`, 1), `repeats the field "approver"`},
		"trailing data":     {b + "{}", "more data after"},
		"wrong type":        {strings.Replace(b, DocumentType, "coffer-policy", 1), `type is "coffer-policy"`},
		"future version":    {strings.Replace(b, `"version": 1`, `"version": 2`, 1), "version 2 is not 1"},
		"bad txid":          {strings.Replace(b, strings.Repeat("ab", 32), strings.Repeat("AB", 32), 1), "not 64 lower-case hex"},
		"bad network":       {strings.Replace(b, `"regtest"`, `"moonnet"`, 1), `network "moonnet"`},
		"expires first":     {strings.Replace(b, "2025-06-12T12:00:00Z", "2025-06-10T12:00:00Z", 1), "expires (2025-06-10T12:00:00Z) before it is created"},
		"negative amount":   {strings.Replace(b, `"amount_sat": 50000`, `"amount_sat": -1`, 1), "outside 0 to 21 million"},
		"bad approver":      {strings.Replace(b, `"approver": "bob"`, `"approver": "bob smith"`, 1), "approver: id"},
		"control in reason": {strings.Replace(b, "payout 42", `payout\u001b[2J`, 1), "control or unprintable"},
		"not an object":     {"[]", "not a valid approval"},
		"deep nesting":      {strings.Repeat("[", 20) + strings.Repeat("]", 20), "nests deeper"},
		"bad index":         {strings.Replace(b, `"index": 1`, `"index": 7`, 1), "output 1 has index 7"},
		"no outputs":        {strings.Replace(b, `"fee_sat"`, `"outputs": [], "x"`, 1), "repeats the field"},
		"not utf-8":         {b[:20] + "\xff" + b[20:], "not UTF-8"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseDocument([]byte(c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	if _, err := ParseDocument(bytes.Repeat([]byte(" "), MaxDocumentSize+1)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversize: %v", err)
	}
}

func TestSignVerify(t *testing.T) {
	k := testKey(t, "bob")
	doc := testDoc(t)
	sig, err := k.Sign(nil, NamespaceApproval, doc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sig, []byte("-----BEGIN SSH SIGNATURE-----\n")) {
		t.Fatalf("signature is not armored as ssh-keygen writes it:\n%s", sig)
	}
	a, err := Parse("bob.json", doc, sig)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(k.Public()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Sig.Marshal(), sig) || a.Sig.Namespace() != NamespaceApproval {
		t.Fatal("signature does not re-armor to itself")
	}
	other := testKey(t, "mallory")
	if err := a.Verify(other.Public()); !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "made by key SHA256:") {
		t.Fatalf("verify with another key: %v", err)
	}
	if err := a.Sig.Verify(k.Public(), NamespacePolicy, doc); !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "namespace") {
		t.Fatalf("verify in another namespace: %v", err)
	}
	if err := a.Sig.Verify(k.Public(), NamespaceApproval, append(doc, ' ')); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("verify of other bytes: %v", err)
	}
	for name, bad := range map[string][]byte{
		"empty":      nil,
		"junk":       []byte("hello"),
		"pem type":   bytes.Replace(sig, []byte("SSH SIGNATURE"), []byte("SSH SIGNATURX"), 2),
		"trailing":   append(append([]byte{}, sig...), "junk"...),
		"leading":    append([]byte("junk\n"), sig...),
		"truncated":  sig[:len(sig)/2],
		"oversize":   bytes.Repeat([]byte("a"), MaxSignatureSize+1),
		"bad base64": bytes.Replace(sig, []byte("U1NIU0lH"), []byte("U1NIU0l!"), 1),
	} {
		if _, err := ParseSignature(bad); err == nil {
			t.Errorf("%s: signature accepted", name)
		}
	}
}

func TestPrivateKey(t *testing.T) {
	k := testKey(t, "bob")
	for _, f := range []string{"%v", "%s", "%+v", "%#v", "%x", "%q"} {
		if got := fmt.Sprintf(f, k); got != "[REDACTED]" {
			t.Errorf("Sprintf(%q, key) = %q", f, got)
		}
	}
	file, err := k.Marshal("bob")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(file, []byte("-----BEGIN OPENSSH PRIVATE KEY-----")) {
		t.Fatalf("key file:\n%s", file)
	}
	k2, err := ParsePrivateKey(file)
	if err != nil || !k2.Public().Equal(k.Public()) {
		t.Fatalf("key file does not read back: %v", err)
	}
	k2.Zero()
	if _, err := k2.Sign(nil, NamespaceApproval, []byte("x")); err == nil {
		t.Fatal("a wiped key signed")
	}
	if _, err := ParsePrivateKey([]byte("not a key")); err == nil || strings.Contains(err.Error(), "not a key") {
		t.Fatalf("junk key: %v", err)
	}
	pub, err := ParsePublicKey(k.Public().String())
	if err != nil || !pub.Equal(k.Public()) {
		t.Fatalf("ed25519: form: %v", err)
	}
	line, err := ParsePublicKey(k.Public().AuthorizedKey() + " bob@example")
	if err != nil || !line.Equal(k.Public()) || line.Type() != "ssh-ed25519" {
		t.Fatalf("OpenSSH line: %v", err)
	}
	for _, bad := range []string{"", "ed25519:", "ed25519:AAAA", "ssh-ed25519", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC", "ssh-dss AAAA", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIycDuqKD9i9ovH0Jz3QMHgFYGFpAxtEN4vcBl1OE5RG\nssh-ed25519 AAAA",
		"ecdsa-sha2-nistp256 AAAAC3NzaC1lZDI1NTE5AAAAIIycDuqKD9i9ovH0Jz3QMHgFYGFpAxtEN4vcBl1OE5RG"} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
}

func TestReadDir(t *testing.T) {
	k := testKey(t, "bob")
	doc := testDoc(t)
	sig, _ := k.Sign(nil, NamespaceApproval, doc)
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("bob.json", doc)
	write("bob.json.sig", sig)
	write("notes.txt", []byte("ignored"))
	as, err := ReadDir(dir)
	if err != nil || len(as) != 1 || as[0].Doc.Approver != "bob" || as[0].Name != filepath.Join(dir, "bob.json") {
		t.Fatalf("ReadDir: %v %v", as, err)
	}
	write("carol.json", doc)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "carol.json has no signature carol.json.sig") {
		t.Fatalf("missing signature: %v", err)
	}
	os.Remove(filepath.Join(dir, "carol.json"))
	write("dan.json.sig", sig)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "dan.json.sig has no dan.json") {
		t.Fatalf("orphan signature: %v", err)
	}
	if _, err := ReadDir(filepath.Join(dir, "nope")); err == nil {
		t.Fatal("missing folder")
	}
}

func TestEmbedInPSBT(t *testing.T) {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{})
	tx.AddTxOut(wire.NewTxOut(1000, []byte{0x51}))
	p, err := psbt.NewFromUnsignedTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	k := testKey(t, "bob")
	doc := testDoc(t)
	sig, _ := k.Sign(nil, NamespaceApproval, doc)
	a, _ := Parse("bob.json", doc, sig)

	out, err := SetInitiator(raw, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if out, err = Embed(out, a); err != nil {
		t.Fatal(err)
	}
	if out, err = Embed(out, a); err != nil { // the same approval twice is kept once
		t.Fatal(err)
	}
	if out, err = SetInitiator(out, "carol"); err != nil {
		t.Fatal(err)
	}
	// btcd's strict enough reader keeps the fields as unknowns
	if _, err := psbt.NewFromRawBytes(bytes.NewReader(out), false); err != nil {
		t.Fatalf("btcd cannot read the PSBT: %v", err)
	}
	if _, err := sign.Decode(out, 0); err != nil {
		t.Fatalf("sign.Decode refuses the PSBT: %v", err)
	}
	e, err := ReadEmbedded(out)
	if err != nil {
		t.Fatal(err)
	}
	if e.Initiator != "carol" || len(e.Approvals) != 1 || !bytes.Equal(e.Approvals[0].Raw, doc) || e.Approvals[0].Verify(k.Public()) != nil {
		t.Fatalf("embedded: %+v", e)
	}
	plain, err := ReadEmbedded(raw)
	if err != nil || plain.Initiator != "" || len(plain.Approvals) != 0 {
		t.Fatalf("plain PSBT: %+v %v", plain, err)
	}
	for _, bad := range [][]byte{nil, []byte("psbt"), raw[:7]} {
		if _, err := ReadEmbedded(bad); err == nil {
			t.Errorf("ReadEmbedded(%x) accepted", bad)
		}
	}
}

func TestCheckID(t *testing.T) {
	for _, ok := range []string{"bob", "a", "bob.smith@ops", "x_1-2"} {
		if err := CheckID(ok); err != nil {
			t.Errorf("CheckID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-bob", "bob smith", "bób", strings.Repeat("a", 65), "a\nb"} {
		if err := CheckID(bad); err == nil {
			t.Errorf("CheckID(%q) accepted", bad)
		}
	}
}
