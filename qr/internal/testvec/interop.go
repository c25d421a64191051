package testvec

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTool returns the path of an interoperability tool, or skips the
// test with how to install it; with COFFER_REQUIRE_INTEROP=1 (as CI sets
// it) a missing tool fails the test instead.
func RequireTool(t testing.TB, name, howto string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" not found: "+howto)
	}
	return p
}

// Missing skips (or, with COFFER_REQUIRE_INTEROP=1, fails) a test whose
// interoperability peer is not installed.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("COFFER_REQUIRE_INTEROP") == "1" {
		t.Fatalf("%s (COFFER_REQUIRE_INTEROP=1)", msg)
	}
	t.Skip(msg)
}
