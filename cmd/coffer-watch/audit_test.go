package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func fixture(name string) string { return filepath.Join("testdata", "audit", name) }

// runWatch runs coffer-watch as main does and returns the exit code and
// both streams.
func runWatch(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

type proofFixtures struct {
	Message string `json:"message"`
	Proofs  []struct {
		Address   string `json:"address"`
		Script    string `json:"script"`
		Path      string `json:"path"`
		Format    string `json:"format"`
		Signature string `json:"signature"`
	} `json:"proofs"`
}

// TestVerifyProofOfCoffer checks with coffer-watch verify-proof a proof
// that coffer prove made for each script type of the vault, BIP-322 and
// legacy, and that another message or another address fails with exit 1.
func TestVerifyProofOfCoffer(t *testing.T) {
	b, err := os.ReadFile(fixture("proofs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f proofFixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	msgFile := filepath.Join(dir, "msg.txt")
	if err := os.WriteFile(msgFile, []byte(f.Message), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range f.Proofs {
		seen[p.Script+" "+p.Format] = true
		code, out, errOut := runWatch(t, "verify-proof", "--address", p.Address, "--message-file", msgFile, "--signature", p.Signature)
		net := "regtest"
		if p.Script == "sh-wpkh" {
			net = "testnet/signet/regtest" // base58 prefixes are shared
		}
		want := fmt.Sprintf("valid: %s proof for %s (%s), %d-byte message\n", p.Format, p.Address, net, len(f.Message))
		if code != 0 || out != want {
			t.Errorf("%s %s: exit %d\n%s%s", p.Script, p.Format, code, out, errOut)
		}
		// The same through audit verify-proof, as JSON.
		code, out, _ = runWatch(t, "--json", "audit", "verify-proof", "--address", p.Address, "--message-file", msgFile, "--signature", p.Signature)
		if code != 0 || !strings.Contains(out, `"valid": true`) || !strings.Contains(out, `"format": "`+p.Format+`"`) {
			t.Errorf("%s %s: audit verify-proof --json: exit %d\n%s", p.Script, p.Format, code, out)
		}
		// The message without its final newline is another message.
		code, _, errOut = runWatch(t, "verify-proof", "--address", p.Address, "--message", strings.TrimSuffix(f.Message, "\n"), "--signature", p.Signature)
		if code != 1 || !strings.HasPrefix(errOut, "coffer-watch: error: the signature does not prove the message for "+p.Address+": invalid proof") {
			t.Errorf("%s %s: another message: exit %d\n%s", p.Script, p.Format, code, errOut)
		}
	}
	for _, want := range []string{"wpkh bip322-simple", "sh-wpkh bip322-full", "tr bip322-simple", "wpkh legacy", "sh-wpkh legacy"} {
		if !seen[want] {
			t.Errorf("no fixture proof for %s", want)
		}
	}
	// A proof for one address does not prove another of the vault.
	code, _, errOut := runWatch(t, "verify-proof", "--address", f.Proofs[2].Address, "--message-file", msgFile, "--signature", f.Proofs[0].Signature)
	if code != 1 || !strings.Contains(errOut, "invalid signature") {
		t.Errorf("proof of %s for %s: exit %d\n%s", f.Proofs[0].Address, f.Proofs[2].Address, code, errOut)
	}
}

// TestVerifyProofVectors runs BIP-322's simple vectors through the command.
func TestVerifyProofVectors(t *testing.T) {
	cases := []struct {
		address, message, sig string
		code                  int
		stderr                string
	}{
		{"bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "Hello World", "smpAkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=", 0, ""},
		{"bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "", "smpAkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=", 0, ""},
		{"bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "Wrong message that was not signed", "smpAkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=", 1, "invalid signature"},
		{"bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "", "not-valid-base64!!!", 1, "not base64"},
		{"bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "", "pofcHNidP8BAA==", 1, "proof of funds"},
		{"bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0", "", "smpAA==", 1, "--address"},
	}
	for _, tc := range cases {
		code, out, errOut := runWatch(t, "verify-proof", "--address", tc.address, "--message", tc.message, "--signature", tc.sig)
		if code != tc.code || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%q %q: exit %d\n%s%s", tc.message, tc.sig, code, out, errOut)
		}
	}
	if code, _, errOut := runWatch(t, "verify-proof", "--address", "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "--signature", "smpAA=="); code != 1 || !strings.Contains(errOut, "no message") {
		t.Errorf("no message: exit %d %s", code, errOut)
	}
}

// TestAuditVerifyJournal verifies the vault's journal as the online side
// does, and finds each kind of tampering, naming the seq.
func TestAuditVerifyJournal(t *testing.T) {
	good, err := os.ReadFile(fixture("journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runWatch(t, "audit", "verify", fixture("journal.jsonl"), "--ceremony", fixture("ceremony.json"))
	for _, want := range []string{
		"entries:     9 (seq 1 to 9)\n",
		"kinds:       export 2, prove 6, restore 1\n",
		"ceremony:    seq 1 records the ceremony transcript\n",
		"result:      ok\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !regexp.MustCompile(`(?m)^proven: +\[73c5da0a/49h/1h/0h\] last at \S+ \(seq 8, 2MxDFWSepVt6svMXJp2MwB1Swarp7CFW2Lz\), 2 proof\(s\)$`).MatchString(out) {
		t.Errorf("report lacks the last proof of the BIP49 key:\n%s", out)
	}

	lines := strings.SplitAfter(string(good), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	last := strings.TrimSuffix(lines[len(lines)-1], "\n")
	prev := sha256.Sum256([]byte(last))
	forged := fmt.Sprintf(`{"seq":10,"time":"2099-01-01T00:00:00.000Z","kind":"sign","prev":"%x","data":{"spent_sats":1},"sig":"%s"}`+"\n", prev, strings.Repeat("0", 128))
	cases := []struct {
		name, journal, want string
	}{
		{"byte changed", strings.Replace(string(good), `"message_bytes":59`, `"message_bytes":58`, 1), "journal line 4 (seq 4): bad signature"},
		{"line deleted", strings.Join(append(append([]string{}, lines[:2]...), lines[3:]...), ""), "journal line 3 (seq 4): sequence broken"},
		{"lines swapped", lines[0] + lines[1] + lines[3] + lines[2] + strings.Join(lines[4:], ""), "journal line 3 (seq 4): sequence broken"},
		{"last line cut", string(good[:len(good)-30]), "journal line 9 (seq 9): torn last line"},
		{"forged entry", string(good) + forged, "journal line 10 (seq 10): bad signature"},
		{"time backwards", strings.Replace(string(good), `{"seq":2,"time":"2026`, `{"seq":2,"time":"2025`, 1), "journal line 2 (seq 2)"},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".jsonl")
		if err := os.WriteFile(path, []byte(tc.journal), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runWatch(t, "audit", "verify", path, "--ceremony", fixture("ceremony.json"))
		if code != 1 || !strings.Contains(errOut, "coffer-watch: error: journal "+path+" does not verify: "+tc.want) || !strings.Contains(out, "result:      FAILED: "+tc.want) {
			t.Errorf("%s: exit %d, want 1 naming %q\n%s%s", tc.name, code, tc.want, out, errOut)
		}
	}
}

// TestAuditVerifyCeremony checks the transcript's signature and that the
// exports carry its keys, with coffer-watch.
func TestAuditVerifyCeremony(t *testing.T) {
	code, out, errOut := runWatch(t, "audit", "verify-ceremony", fixture("ceremony.json"),
		"--export", fixture("wallet.txt"), "--export", fixture("core-tr.json"), "--journal", fixture("journal.jsonl"))
	if code != 0 || !strings.HasSuffix(out, "result:      ok\n") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"signature:   testdata/audit/ceremony.sig: ok: signed by journal key ",
		"export:      testdata/audit/wallet.txt: ok: 1 key(s) of the ceremony: [73c5da0a/84h/1h/0h]",
		"export:      testdata/audit/core-tr.json: ok: 1 key(s) of the ceremony: [73c5da0a/86h/1h/0h]",
		"journal:     testdata/audit/journal.jsonl: ok: 9 entries verify and seq 1 (restore) records this transcript",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// A transcript edited after the ceremony (one more officer).
	dir := t.TempDir()
	c, err := os.ReadFile(fixture("ceremony.json"))
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(c, []byte(`"bob"`), []byte(`"bob", "mallory"`), 1)
	if bytes.Equal(edited, c) {
		t.Fatal("the fixture has no officer bob")
	}
	path := filepath.Join(dir, "ceremony.json")
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runWatch(t, "audit", "verify-ceremony", path, "--sig", fixture("ceremony.sig"))
	if code != 1 || !strings.Contains(out, "FAILED: the ceremony transcript's signature does not verify") {
		t.Errorf("edited transcript: exit %d\n%s%s", code, out, errOut)
	}
}
