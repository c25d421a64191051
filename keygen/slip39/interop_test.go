package slip39

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The interop test runs a second SLIP-39 implementation, the npm package
// slip39 pinned in testdata/slip39/interop/package.json, through the node
// scripts beside it: shares made here are restored there and the other way
// round. Without node or node_modules it skips, saying how to install,
// unless COFFER_REQUIRE_INTEROP=1 (CI), where it fails.
const interopDir = testdataDir + "/interop"

func interopNode(t *testing.T) string {
	t.Helper()
	missing := func(what string) string {
		msg := what + "; install the interop dependencies with `make deps` " +
			"(npm ci --prefix testdata/slip39/interop --ignore-scripts --no-audit --no-fund)"
		if os.Getenv("COFFER_REQUIRE_INTEROP") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
		return ""
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(interopDir, "node_modules", "slip39", "package.json")); err != nil {
		return missing("the npm package slip39 is not installed in testdata/slip39/interop/node_modules")
	}
	return node
}

func runNode(t *testing.T, node, script string, req any) []byte {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script)
	cmd.Dir = interopDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	return out
}

type interopCase struct {
	scheme     Scheme
	size       int
	passphrase string
	exp        int
	extendable bool
}

var interopCases = []interopCase{
	{Scheme{1, []Group{{1, 1}}}, 16, "", 0, true},
	{Scheme{1, []Group{{2, 3}}}, 16, "TREZOR", 0, true},
	{Scheme{1, []Group{{3, 5}}}, 32, "TREZOR", 0, false},
	{Scheme{2, []Group{{2, 3}, {1, 1}, {3, 5}}}, 32, "", 0, true},
	{Scheme{3, []Group{{1, 1}, {2, 2}, {2, 3}, {16, 16}}}, 16, "a passphrase ~!", 1, false},
	{Scheme{1, []Group{{16, 16}}}, 64, "TREZOR", 0, true},
	{Scheme{2, []Group{{4, 7}, {2, 2}}}, 20, "TREZOR", 0, true},
}

func (c interopCase) name() string {
	return fmt.Sprintf("%s/%dbits/e=%d/ext=%v", c.scheme, 8*c.size, c.exp, c.extendable)
}

// qualifyingIndices chooses the last groupThreshold groups and, in each,
// the last threshold members: a subset that is not simply the first shares.
func qualifyingIndices(sc Scheme) [][2]int {
	var out [][2]int
	for gi := len(sc.Groups) - sc.GroupThreshold; gi < len(sc.Groups); gi++ {
		g := sc.Groups[gi]
		for mi := g.Count - g.Threshold; mi < g.Count; mi++ {
			out = append(out, [2]int{gi, mi})
		}
	}
	return out
}

func TestInteropCofferToJS(t *testing.T) {
	node := interopNode(t)
	for _, c := range interopCases {
		t.Run(c.name(), func(t *testing.T) {
			secret := make([]byte, c.size)
			rand.Read(secret)
			set, err := Split(secret, []byte(c.passphrase), c.scheme.GroupThreshold, c.scheme.Groups, c.exp, c.extendable, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer WipeAll(set)
			var ms []string
			for _, ix := range qualifyingIndices(c.scheme) {
				m, err := set[ix[0]][ix[1]].Mnemonic()
				if err != nil {
					t.Fatal(err)
				}
				ms = append(ms, string(m))
			}
			out := runNode(t, node, "combine.js", map[string]any{"mnemonics": ms, "passphrase": c.passphrase})
			if got := strings.TrimSpace(string(out)); got != hex.EncodeToString(secret) {
				t.Fatal("the JS implementation restores another secret from Coffer's shares")
			}
		})
	}
}

func TestInteropJSToCoffer(t *testing.T) {
	node := interopNode(t)
	for _, c := range interopCases {
		t.Run(c.name(), func(t *testing.T) {
			secret := make([]byte, c.size)
			rand.Read(secret)
			groups := make([][2]int, len(c.scheme.Groups))
			for i, g := range c.scheme.Groups {
				groups[i] = [2]int{g.Threshold, g.Count}
			}
			out := runNode(t, node, "split.js", map[string]any{
				"secret": hex.EncodeToString(secret), "passphrase": c.passphrase,
				"groupThreshold": c.scheme.GroupThreshold, "groups": groups,
				"iterationExponent": c.exp, "extendable": c.extendable,
			})
			var resp struct{ Groups [][]string }
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("split.js output: %v", err)
			}
			if len(resp.Groups) != len(c.scheme.Groups) {
				t.Fatalf("split.js made %d groups, want %d", len(resp.Groups), len(c.scheme.Groups))
			}
			// Every JS share parses here with the scheme's parameters.
			for gi, g := range resp.Groups {
				if len(g) != c.scheme.Groups[gi].Count {
					t.Fatalf("group %d has %d shares, want %d", gi+1, len(g), c.scheme.Groups[gi].Count)
				}
				for mi, m := range g {
					s, err := ParseShare([]byte(m))
					if err != nil {
						t.Fatalf("group %d share %d: %v", gi+1, mi+1, err)
					}
					if s.GroupIndex != gi || s.MemberIndex != mi || s.GroupCount != len(c.scheme.Groups) ||
						s.GroupThreshold != c.scheme.GroupThreshold || s.MemberThreshold != c.scheme.Groups[gi].Threshold ||
						s.IterationExponent != c.exp || s.Extendable != c.extendable || s.SecretBits() != 8*c.size {
						t.Fatalf("group %d share %d parses as %v", gi+1, mi+1, s)
					}
					s.Wipe()
				}
			}
			var ms [][]byte
			for _, ix := range qualifyingIndices(c.scheme) {
				ms = append(ms, []byte(resp.Groups[ix[0]][ix[1]]))
			}
			got, err := Combine(ms, []byte(c.passphrase))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, secret) {
				t.Fatal("Coffer restores another secret from the JS shares")
			}
		})
	}
}
