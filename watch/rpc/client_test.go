package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:8332": true, "127.8.9.1:1": true, "localhost:18443": true, "[::1]:8332": true, "::1": true,
		"10.0.0.1:8332": false, "192.0.2.1:1": false, "node.example:8332": false, "[2001:db8::1]:8332": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func server(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{Host: strings.TrimPrefix(srv.URL, "http://"), User: "u", Pass: "secret-pass", NoTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCall(t *testing.T) {
	ctx := context.Background()
	c := server(t, func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		if r.Header.Get("Content-Type") != "application/json" || u != "u" || p != "secret-pass" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body := make([]byte, 512)
		n, _ := r.Body.Read(body)
		switch {
		case strings.Contains(string(body[:n]), `"getblockcount"`):
			_, _ = w.Write([]byte(`{"result":42,"error":null,"id":1}`))
		case strings.Contains(string(body[:n]), `"bad"`):
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"result":null,"error":{"code":-8,"message":"Block height out of range."},"id":1}`))
		default:
			_, _ = w.Write([]byte(`<html>proxy error</html>`))
		}
	})
	var h int
	if err := c.Call(ctx, "getblockcount", nil, &h); err != nil || h != 42 {
		t.Fatalf("getblockcount: %d, %v", h, err)
	}
	var re *Error
	err := c.Call(ctx, "bad", []any{1}, nil)
	if !errors.As(err, &re) || re.Code != -8 || err.Error() != "node refused bad: Block height out of range (code -8)" {
		t.Fatalf("node error: %v", err)
	}
	if err := c.Call(ctx, "other", nil, nil); !errors.Is(err, ErrProtocol) {
		t.Fatalf("not JSON: %v", err)
	}
	var wrong string
	if err := c.Call(ctx, "getblockcount", nil, &wrong); !errors.Is(err, ErrProtocol) {
		t.Fatalf("wrong shape: %v", err)
	}
	// Wrong password: ErrAuth, and the password is in no message.
	bad, _ := New(Config{Host: c.Host(), User: "u", Pass: "wrong-pass", NoTLS: true})
	if err := bad.Call(ctx, "getblockcount", nil, &h); !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "wrong-pass") {
		t.Fatalf("auth: %v", err)
	}
}

func TestCookieAndConfig(t *testing.T) {
	dir := t.TempDir()
	cookie := filepath.Join(dir, ".cookie")
	if err := os.WriteFile(cookie, []byte("__cookie__:abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := server(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); u != "__cookie__" || p != "abc" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"result":"ok","error":null,"id":1}`))
	})
	cc, err := New(Config{Host: c.Host(), CookieFile: cookie, NoTLS: true, Wallet: "w"})
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := cc.Call(context.Background(), "x", nil, &s); err != nil || s != "ok" {
		t.Fatalf("cookie auth: %q, %v", s, err)
	}
	if err := os.WriteFile(cookie, []byte("nocolon"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := cc.Call(context.Background(), "x", nil, &s); !errors.Is(err, ErrConfig) {
		t.Fatalf("bad cookie: %v", err)
	}
	certless := filepath.Join(dir, "rpc.cert")
	if err := os.WriteFile(certless, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []Config{
		{},
		{Host: "127.0.0.1"},
		{Host: "198.51.100.7:8332", NoTLS: true},
		{Host: "127.0.0.1:1", CertFile: certless},
		{Host: "127.0.0.1:1", CookieFile: cookie, Pass: "x"},
	} {
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("config %+v: %v", cfg, err)
		}
	}
}

// No error and no formatting of the client's settings shows the password
// or the cookie's content: not a node address with userinfo, not an answer
// that echoes the request, not a redirect, not an unreachable node.
func TestNoSecretInErrors(t *testing.T) {
	ctx := context.Background()
	const pass = "hunter2-secret"
	const cookiePass = "c00kie-secret"
	token := "dTpodW50ZXIyLXNlY3JldA" // base64 of "u:hunter2-secret", unpadded prefix
	leaks := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		for _, s := range []string{pass, cookiePass, token} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: the error shows a secret: %v", what, err)
			}
		}
	}
	for _, host := range []string{"u:" + pass + "@127.0.0.1:8332", "http://u:" + pass + "@127.0.0.1:8332", "https://u:" + pass + "@node.example:8332/", "u" + pass + "@127.0.0.1:1"} {
		_, err := New(Config{Host: host, NoTLS: true})
		if !errors.Is(err, ErrConfig) {
			t.Errorf("host with userinfo accepted: %v", err)
		}
		leaks(t, "node address with userinfo", err)
	}

	cfg := Config{Host: "127.0.0.1:1", User: "u", Pass: pass, NoTLS: true}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{cfg, &cfg, c} {
			if s := fmt.Sprintf(f, v); strings.Contains(s, pass) {
				t.Errorf("%s of %T shows the password: %s", f, v, s)
			}
		}
	}
	leaks(t, "unreachable", c.Call(ctx, "getblockcount", nil, nil))

	// A server that echoes the request (its Authorization header and the
	// password) back: as a non-JSON body, as a JSON-RPC error, and as a
	// 401 page.
	echo := func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		dump := r.Header.Get("Authorization") + " " + u + ":" + p
		body := make([]byte, 512)
		n, _ := r.Body.Read(body)
		switch {
		case strings.Contains(string(body[:n]), `"plain"`):
			_, _ = w.Write([]byte(dump))
		case strings.Contains(string(body[:n]), `"rpcerror"`):
			msg, _ := json.Marshal(dump)
			_, _ = w.Write([]byte(`{"result":null,"error":{"code":-1,"message":` + string(msg) + `},"id":1}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(dump))
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(echo))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	c, err = New(Config{Host: host, User: "u", Pass: pass, NoTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"plain", "rpcerror", "auth"} {
		leaks(t, "echoing server, "+m, c.Call(ctx, m, nil, nil))
	}

	// A redirect is not followed: the credentials go nowhere else.
	var got atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			got.Store(true)
		}
		_, _ = w.Write([]byte(`{"result":1,"error":null,"id":1}`))
	}))
	t.Cleanup(other.Close)
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redir.Close)
	c, err = New(Config{Host: strings.TrimPrefix(redir.URL, "http://"), User: "u", Pass: pass, NoTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Call(ctx, "getblockcount", nil, nil)
	if !errors.Is(err, ErrProtocol) || got.Load() {
		t.Errorf("redirect: %v; credentials sent on: %v", err, got.Load())
	}
	leaks(t, "redirect", err)

	// The cookie's content is in no error: a cookie that is not
	// USER:PASSWORD, and a good one against a node that is down or echoes.
	dir := t.TempDir()
	cookie := filepath.Join(dir, ".cookie")
	if err := os.WriteFile(cookie, []byte(cookiePass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cc, err := New(Config{Host: host, CookieFile: cookie, NoTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	leaks(t, "cookie without a colon", cc.Call(ctx, "plain", nil, nil))
	if err := os.WriteFile(cookie, []byte("__cookie__:"+cookiePass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"plain", "rpcerror", "auth"} {
		leaks(t, "cookie, echoing server, "+m, cc.Call(ctx, m, nil, nil))
	}
	down, _ := New(Config{Host: "127.0.0.1:1", CookieFile: cookie, NoTLS: true})
	leaks(t, "cookie, unreachable", down.Call(ctx, "x", nil, nil))
	if err := os.WriteFile(cookie, bytes.Repeat([]byte("x"), maxCookie+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := cc.Call(ctx, "x", nil, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("oversized cookie: %v", err)
	}
}
