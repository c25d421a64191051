package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The RPC password and the cookie's content appear in no message of any
// failing command: a config file with a mistyped key, a node address with
// userinfo, an unreachable node, a node that echoes the request, a bad
// cookie, --rpc-pass given as a flag (it warns), a config file open to others. No
// node is needed: the echoing node is a local HTTP server.
func TestNoSecretInMessages(t *testing.T) {
	const secret = "Hunter2-Secret-Pass"
	const cookieSecret = "C00kie-Secret-Value"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		_, _ = w.Write([]byte("echo " + r.Header.Get("Authorization") + " " + u + ":" + p))
	}))
	t.Cleanup(echo.Close)
	echoHost := strings.TrimPrefix(echo.URL, "http://")
	exports := mustAbs(t, filepath.Join("..", "..", "testdata", "export", "regtest", "descriptor-wpkh.txt"))

	type step struct {
		name   string
		config string // the config file's content, written 0600 unless mode says
		mode   os.FileMode
		env    map[string]string
		args   []string
		want   string // a part of stderr
		warn   string // a warning stderr must start with
	}
	base := "network = regtest\nbackend = btcd\nno-tls = true\n"
	steps := []step{
		{name: "mistyped key", config: base + "rpc-password = " + secret + "\n", args: []string{"sync"}, want: `line 4: "rpc-password" is not a known setting`},
		{name: "password alone on a line", config: base + secret + "\n", args: []string{"sync"}, want: "line 4 is not \"setting = value\""},
		{name: "password as the key", config: base + secret + "!x = 1\n", args: []string{"sync"}, want: "line 4: the key is not a known setting"},
		{name: "config open to others", config: base + "rpc-pass = " + secret + "\n", mode: 0o644, args: []string{"sync"}, want: "holds rpc-pass but is open to group or others (mode 0644)"},
		{name: "config open to the group", config: base + "rpc-pass = " + secret + "\n", mode: 0o640, args: []string{"sync"}, want: "chmod 600 "},
		{name: "userinfo in the node address", config: base + "node = u:" + secret + "@127.0.0.1:1\n", args: []string{"sync"}, want: "not HOST:PORT"},
		{name: "url in the node address", config: base + "node = http://u:" + secret + "@127.0.0.1:1/\n", args: []string{"sync"}, want: "not HOST:PORT"},
		{name: "unreachable node", config: base + "node = 127.0.0.1:1\nrpc-user = u\nrpc-pass = " + secret + "\n", args: []string{"sync"}, want: "node unreachable at 127.0.0.1:1"},
		{name: "password from the environment", config: base + "node = 127.0.0.1:1\nrpc-user = u\n", env: map[string]string{"COFFER_WATCH_RPC_PASS": secret}, args: []string{"sync"}, want: "node unreachable at 127.0.0.1:1"},
		{name: "echoing node", config: base + "node = " + echoHost + "\nrpc-user = u\nrpc-pass = " + secret + "\n", args: []string{"sync"}, want: "not JSON-RPC"},
		{name: "echoing node, send", config: base + "node = " + echoHost + "\nrpc-user = u\nrpc-pass = " + secret + "\n", args: []string{"send", "--wallet", "hot", "--to", "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk=1000sat", "--fee-rate", "1"}, want: "not JSON-RPC"},
		{name: "echoing node, cookie", config: base + "node = " + echoHost + "\nrpc-cookie = COOKIE\n", args: []string{"sync"}, want: "not JSON-RPC"},
		{name: "cookie and password", config: base + "node = " + echoHost + "\nrpc-cookie = COOKIE\nrpc-pass = " + secret + "\n", args: []string{"sync"}, want: "give either --rpc-cookie or rpc-user and rpc-pass"},
		{name: "the flag", config: base + "node = 127.0.0.1:1\nrpc-user = u\n", args: []string{"sync", "--rpc-pass", secret}, want: "node unreachable at 127.0.0.1:1", warn: "--rpc-pass puts the node's password on the command line"},
		{name: "the flag with =", config: base + "node = " + echoHost + "\nrpc-user = u\n", args: []string{"sync", "--rpc-pass=" + secret}, want: "not JSON-RPC", warn: "--rpc-pass puts the node's password on the command line"},
	}
	for _, st := range steps {
		t.Run(strings.ReplaceAll(st.name, " ", "_"), func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "data")
			cookie := filepath.Join(dir, ".cookie")
			if err := os.WriteFile(cookie, []byte("__cookie__:"+cookieSecret+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			// A wallet first (with a config that has no node), so that
			// the node is asked something.
			if err := os.MkdirAll(data, 0o700); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			if code := run([]string{"--data", data, "wallet", "import", exports, "--name", "hot", "--network", "regtest"}, strings.NewReader(""), &out, &errb); code != 0 {
				t.Fatalf("import: exit %d\n%s", code, errb.String())
			}
			cfg := filepath.Join(data, "config")
			if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(st.config, "COOKIE", cookie)), 0o600); err != nil {
				t.Fatal(err)
			}
			if st.mode != 0 {
				if err := os.Chmod(cfg, st.mode); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range st.env {
				t.Setenv(k, v)
			}
			out.Reset()
			errb.Reset()
			code := run(append([]string{"--data", data}, st.args...), strings.NewReader(""), &out, &errb)
			all := out.String() + errb.String()
			if code != 1 || !strings.Contains("\n"+errb.String(), "\ncoffer-watch: error: ") || !strings.Contains(errb.String(), st.want) {
				t.Errorf("exit %d, want 1 and %q:\n%s", code, st.want, all)
			}
			if st.warn != "" && !strings.HasPrefix(errb.String(), "coffer-watch: warning: "+st.warn) {
				t.Errorf("no warning %q first:\n%s", st.warn, all)
			}
			for _, s := range []string{secret, cookieSecret, "dTpIdW50ZXIyLVNlY3JldC1QYXNz", "X19jb29raWVfXzpDMDBraWUtU2VjcmV0LVZhbHVl"} {
				if strings.Contains(all, s) {
					t.Errorf("the output shows a secret (%s):\n%s", s, all)
				}
			}
			if strings.Contains(errb.String(), "goroutine ") {
				t.Errorf("a stack trace:\n%s", all)
			}
		})
	}
}
