package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOfflineBoundary holds the air gap in the code: the offline signer
// links no HTTP, TLS, RPC or watch-only companion code.
func TestOfflineBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "net/http", pkg == "crypto/tls", pkg == "net/rpc", pkg == "net/smtp", pkg == "net/http/httptrace",
			strings.HasSuffix(pkg, "/watch"), strings.Contains(pkg, "/watch/"):
			t.Errorf("cmd/coffer links %s; the offline signer must not", pkg)
		}
	}
}

// TestNoDialingCode checks the linked binary: no symbol of net's dialers or
// listeners survives dead-code elimination.
func TestNoDialingCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := t.TempDir() + "/coffer"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		for _, sym := range []string{"net.Dial", "net.(*Dialer)", "net.Listen", "net.(*ListenConfig)", "net/http.", "crypto/tls."} {
			if strings.Contains(line, " "+sym) {
				t.Errorf("the coffer binary contains %s", strings.TrimSpace(line))
			}
		}
	}
}
