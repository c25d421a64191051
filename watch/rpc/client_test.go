package rpc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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
