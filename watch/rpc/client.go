package rpc

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// Limits on what is read from a node.
const (
	// MaxResponse bounds one response body. A block of verbose
	// transactions is the largest thing Coffer asks for.
	MaxResponse = 64 << 20
	// DefaultTimeout bounds one call, connection included.
	DefaultTimeout = 60 * time.Second
)

// Sentinel errors callers branch on. Every error of Call wraps one of them
// or is an *Error from the node.
var (
	ErrUnreachable = errors.New("node unreachable")
	ErrAuth        = errors.New("node refused the RPC credentials")
	ErrProtocol    = errors.New("node answered something that is not JSON-RPC")
	ErrConfig      = errors.New("bad node settings")
)

// Config says how to reach a node.
type Config struct {
	Host       string // HOST:PORT
	User       string // RPC user; with Pass
	Pass       string
	CookieFile string // Bitcoin Core's .cookie file, instead of User/Pass
	CertFile   string // PEM certificate of the node's TLS (btcd's rpc.cert)
	NoTLS      bool   // plain HTTP; allowed only to a loopback address
	Wallet     string // Bitcoin Core wallet name: calls go to /wallet/NAME
	Timeout    time.Duration
}

// String shows the settings with the password redacted, so that no %v of
// a Config can print it.
func (c Config) String() string {
	pass := ""
	if c.Pass != "" {
		pass = "(redacted)"
	}
	return fmt.Sprintf("{Host:%s User:%s Pass:%s CookieFile:%s CertFile:%s NoTLS:%v Wallet:%s Timeout:%v}",
		c.Host, c.User, pass, c.CookieFile, c.CertFile, c.NoTLS, c.Wallet, c.Timeout)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return "rpc.Config" + c.String() }

// Client calls one node. It is safe for concurrent use.
type Client struct {
	url    string
	cfg    Config
	hc     *http.Client
	nextID atomic.Uint64
}

// Error is an error the node returned for a call.
type Error struct {
	Method  string
	Code    int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("node refused %s: %s (code %d)", e.Method, strings.TrimSuffix(e.Message, "."), e.Code)
}

// IsLoopback reports whether host (HOST or HOST:PORT) names a loopback
// address: localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// New checks cfg and returns a client. It does not contact the node.
func New(cfg Config) (*Client, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("%w: no node address (--node HOST:PORT)", ErrConfig)
	}
	if strings.ContainsAny(cfg.Host, "@/") {
		// user:password@host or http://user:password@host: the address
		// is not shown, since it holds credentials.
		return nil, fmt.Errorf("%w: the node address is not HOST:PORT: it holds a scheme, a path or a user and password before \"@\" (not shown); the password goes into rpc-pass", ErrConfig)
	}
	if _, _, err := net.SplitHostPort(cfg.Host); err != nil {
		return nil, fmt.Errorf("%w: node address %q is not HOST:PORT", ErrConfig, cfg.Host)
	}
	if cfg.NoTLS && cfg.CertFile != "" {
		return nil, fmt.Errorf("%w: --no-tls and --rpc-cert exclude each other", ErrConfig)
	}
	if cfg.NoTLS && !IsLoopback(cfg.Host) {
		return nil, fmt.Errorf("%w: --no-tls is allowed only to a loopback address, not %s", ErrConfig, cfg.Host)
	}
	if cfg.CookieFile != "" && (cfg.User != "" || cfg.Pass != "") {
		return nil, fmt.Errorf("%w: give either --rpc-cookie or rpc-user and rpc-pass, not both", ErrConfig)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	tr := &http.Transport{
		Proxy:               nil, // a node is never reached through a proxy
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	scheme := "http"
	if !cfg.NoTLS {
		scheme = "https"
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.CertFile != "" {
			pem, err := os.ReadFile(cfg.CertFile)
			if err != nil {
				return nil, fmt.Errorf("%w: cannot read --rpc-cert %s: %v", ErrConfig, cfg.CertFile, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("%w: --rpc-cert %s holds no PEM certificate", ErrConfig, cfg.CertFile)
			}
			tc.RootCAs = pool
		}
		tr.TLSClientConfig = tc
	}
	u := scheme + "://" + cfg.Host + "/"
	if cfg.Wallet != "" {
		u += "wallet/" + url.PathEscape(cfg.Wallet)
	}
	hc := &http.Client{Transport: tr, Timeout: cfg.Timeout,
		// A node never redirects; following one could send the
		// credentials to another address or over plain HTTP.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Client{url: u, cfg: cfg, hc: hc}, nil
}

// String names the node, never the credentials.
func (c *Client) String() string { return "rpc.Client(" + c.cfg.Host + ")" }

// GoString is String, for %#v.
func (c *Client) GoString() string { return c.String() }

// Host is the node address the client calls.
func (c *Client) Host() string { return c.cfg.Host }

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

type response struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	ID json.RawMessage `json:"id"`
}

func (c *Client) credentials() (user, pass string, err error) {
	if c.cfg.CookieFile == "" {
		return c.cfg.User, c.cfg.Pass, nil
	}
	b, err := readBounded(c.cfg.CookieFile, maxCookie)
	if err != nil {
		return "", "", fmt.Errorf("%w: cannot read --rpc-cookie %s: %v", ErrConfig, c.cfg.CookieFile, err)
	}
	s := strings.TrimSpace(string(b))
	u, p, ok := strings.Cut(s, ":")
	if !ok || u == "" {
		return "", "", fmt.Errorf("%w: --rpc-cookie %s is not USER:PASSWORD", ErrConfig, c.cfg.CookieFile)
	}
	return u, p, nil
}

// maxCookie bounds the cookie file (Bitcoin Core writes about 75 bytes).
const maxCookie = 4 << 10

// readBounded reads at most limit bytes of the file at path.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathErr(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, pathErr(err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}

// pathErr drops the path an *os.PathError repeats.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Call calls method with params and decodes the result into result (which
// may be nil to ignore it).
func (c *Client) Call(ctx context.Context, method string, params []any, result any) error {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(request{JSONRPC: "1.0", ID: c.nextID.Add(1), Method: method, Params: params})
	if err != nil {
		return fmt.Errorf("%s: cannot encode the parameters: %v", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	req.Header.Set("Content-Type", "application/json")
	user, pass, err := c.credentials()
	if err != nil {
		return err
	}
	req.SetBasicAuth(user, pass)
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrUnreachable, c.cfg.Host, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return fmt.Errorf("%w at %s: reading the answer to %s: %v", ErrUnreachable, c.cfg.Host, method, err)
	}
	if len(data) > MaxResponse {
		return fmt.Errorf("%w: the answer to %s is larger than %d bytes", ErrProtocol, method, MaxResponse)
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%w at %s (HTTP %d)", ErrAuth, c.cfg.Host, resp.StatusCode)
	}
	var r response
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%w: %s answered HTTP %d with %q", ErrProtocol, method, resp.StatusCode, snippet(scrub(string(data), user, pass)))
	}
	if r.Error != nil {
		return &Error{Method: method, Code: r.Error.Code, Message: scrub(r.Error.Message, user, pass)}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered HTTP %d", ErrProtocol, method, resp.StatusCode)
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, result); err != nil {
		return fmt.Errorf("%w: the result of %s does not have the expected shape: %v", ErrProtocol, method, err)
	}
	return nil
}

func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func snippet(b string) string {
	s := strings.TrimSpace(b)
	if len(s) > 120 {
		s = strings.ToValidUTF8(s[:120], "") + "…"
	}
	return s
}

// scrub removes the password and the Authorization header's token from
// text the node sent back, which is quoted in errors: a proxy or a
// misconfigured server that echoes the request must not make an error
// print the credentials.
func scrub(text, user, pass string) string {
	if pass == "" {
		return text
	}
	for _, secret := range []string{
		base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)),
		base64.RawStdEncoding.EncodeToString([]byte(user + ":" + pass)),
		pass,
	} {
		text = strings.ReplaceAll(text, secret, "(redacted)")
	}
	return text
}
