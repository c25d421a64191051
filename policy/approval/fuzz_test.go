package approval

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

var vectorDir = filepath.Join("..", "..", "testdata", "policy")

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenSSHVectors: approvals signed by OpenSSH's ssh-keygen (ed25519 and
// ECDSA) verify with the keys of testdata/policy/keys, and only with them.
func TestOpenSSHVectors(t *testing.T) {
	for _, who := range []string{"bob", "carol"} {
		a, err := Parse(who+".json", readVector(t, "approvals/"+who+".json"), readVector(t, "approvals/"+who+".json.sig"))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParsePublicKey(string(readVector(t, "keys/"+who+".pub")))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Verify(pub); err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		if a.Doc.Approver != who {
			t.Fatalf("%s: approver %q", who, a.Doc.Approver)
		}
		other, _ := ParsePublicKey(string(readVector(t, "keys/alice.pub")))
		if err := a.Verify(other); err == nil {
			t.Fatalf("%s's approval verifies with alice's key", who)
		}
	}
}

// FuzzParseDocument: the approval parser never panics, and what it
// accepts writes back to a document it reads the same.
func FuzzParseDocument(f *testing.F) {
	f.Add(readVector(f, "approvals/bob.json"))
	f.Add(readVector(f, "approvals/carol.json"))
	f.Add([]byte(`{"type":"coffer-approval"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDocument(b)
		if err != nil {
			return
		}
		out, err := d.Marshal()
		if err != nil {
			t.Fatalf("accepted document does not marshal: %v", err)
		}
		d2, err := ParseDocument(out)
		if err != nil {
			t.Fatalf("re-marshalled document is refused: %v", err)
		}
		out2, _ := d2.Marshal()
		if !bytes.Equal(out, out2) {
			t.Fatal("document does not round-trip")
		}
	})
}

// FuzzParseSignature: the signature parser never panics, what it accepts
// re-armors to a signature it reads the same, and verifying it against a
// key never panics.
func FuzzParseSignature(f *testing.F) {
	f.Add(readVector(f, "approvals/bob.json.sig"))
	f.Add(readVector(f, "approvals/carol.json.sig"))
	pub, err := ParsePublicKey(string(readVector(f, "keys/bob.pub")))
	if err != nil {
		f.Fatal(err)
	}
	doc := readVector(f, "approvals/bob.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSignature(b)
		if err != nil {
			return
		}
		s2, err := ParseSignature(s.Marshal())
		if err != nil || !bytes.Equal(s2.Marshal(), s.Marshal()) {
			t.Fatalf("signature does not round-trip: %v", err)
		}
		_ = s.Verify(pub, NamespaceApproval, doc)
		_ = s.Verify(s.PublicKey(), s.Namespace(), doc)
	})
}

// FuzzReadEmbedded: reading Coffer's fields from any bytes never panics.
func FuzzReadEmbedded(f *testing.F) {
	f.Add([]byte("psbt\xff\x01\x00\x00"))
	f.Add([]byte("psbt\xff\x09\xfc\x06coffer\x01\x05alice\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ReadEmbedded(b)
		if err != nil {
			return
		}
		if e.Initiator != "" {
			if _, err := SetInitiator(b, e.Initiator); err != nil {
				t.Fatalf("cannot set the initiator it read: %v", err)
			}
		}
	})
}
