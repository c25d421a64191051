package regtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/coffer-custody/coffer/watch/rpc"
)

// Version is the btcd release the harness installs.
const Version = "v0.26.2"

// ErrUnavailable means btcd is not installed and could not be installed
// (no Go toolchain, no module proxy). Tests skip on it unless
// COFFER_REQUIRE_INTEROP=1.
var ErrUnavailable = errors.New("btcd is not available")

// BinDir is the folder the harness installs btcd and btcctl into:
// $COFFER_BTCD_DIR, else $XDG_CACHE_HOME/coffer/btcd, else
// ~/.cache/coffer/btcd.
func BinDir() (string, error) {
	if d := os.Getenv("COFFER_BTCD_DIR"); d != "" {
		return d, nil
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("%w: no cache folder: %v", ErrUnavailable, err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "coffer", "btcd"), nil
}

var installMu sync.Mutex

// Install returns the path of the btcd binary, installing btcd and btcctl
// with `go install ...@Version` into BinDir first when they are not there.
func Install(ctx context.Context) (string, error) {
	installMu.Lock()
	defer installMu.Unlock()
	dir, err := BinDir()
	if err != nil {
		return "", err
	}
	btcd := filepath.Join(dir, "btcd")
	btcctl := filepath.Join(dir, "btcctl")
	if isExec(btcd) && isExec(btcctl) {
		return btcd, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("%w: no go command to install it with", ErrUnavailable)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	cmd := exec.CommandContext(ctx, goBin, "install",
		"github.com/btcsuite/btcd@"+Version, "github.com/btcsuite/btcd/cmd/btcctl@"+Version)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=", "CGO_ENABLED=0")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: go install btcd@%s failed: %v\n%s", ErrUnavailable, Version, err, strings.TrimSpace(string(out)))
	}
	if !isExec(btcd) {
		return "", fmt.Errorf("%w: go install did not leave %s", ErrUnavailable, btcd)
	}
	return btcd, nil
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Options for Start. The zero value is a TLS node mining to the funder's
// address (see Fund).
type Options struct {
	MiningAddr string // regtest address generate pays; the funder's if empty
	NoTLS      bool   // plain HTTP RPC on loopback
	Dir        string // data folder; a new temporary one (removed by Stop) if empty
}

// Node is a btcd regtest node on 127.0.0.1 with random free ports.
type Node struct {
	bin      string
	dir      string
	ownDir   bool
	noTLS    bool
	user     string
	pass     string
	rpcPort  int
	p2pPort  int
	mining   string
	cmd      *exec.Cmd
	done     chan struct{}
	client   *rpc.Client
	funder   *funder
	mu       sync.Mutex
	stopping bool
}

// BurnAddress is the P2WSH address of the script OP_TRUE on regtest: what
// the node mines to when no address is given.
func BurnAddress() string {
	h := sha256.Sum256([]byte{0x51})
	a, _ := btcutil.NewAddressWitnessScriptHash(h[:], &chaincfg.RegressionNetParams)
	return a.EncodeAddress()
}

// Start installs btcd if needed and starts a regtest node with
// --txindex --addrindex, RPC credentials of its own, TLS with a
// certificate btcd makes (or --notls), listening on 127.0.0.1 only and
// connecting to no peer. It returns once the node answers RPC calls.
func Start(ctx context.Context, o Options) (*Node, error) {
	bin, err := Install(ctx)
	if err != nil {
		return nil, err
	}
	n := &Node{bin: bin, dir: o.Dir, noTLS: o.NoTLS, mining: o.MiningAddr}
	if n.funder, err = newFunder(); err != nil {
		return nil, err
	}
	if n.mining == "" {
		n.mining = n.funder.addr.EncodeAddress()
	}
	if n.dir == "" {
		if n.dir, err = os.MkdirTemp("", "coffer-btcd-"); err != nil {
			return nil, err
		}
		n.ownDir = os.Getenv("COFFER_KEEP_BTCD") == ""
	}
	n.user = "coffer"
	if n.pass, err = randomHex(16); err != nil {
		n.cleanup()
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(n.dir, "btcd.conf"), nil, 0o600); err != nil {
		return nil, err
	}
	if err := n.start(ctx); err != nil {
		n.cleanup()
		return nil, err
	}
	return n, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (n *Node) args() []string {
	a := []string{
		"--regtest",
		"--configfile=" + filepath.Join(n.dir, "btcd.conf"),
		"--datadir=" + filepath.Join(n.dir, "data"),
		"--logdir=" + filepath.Join(n.dir, "logs"),
		"--rpcuser=" + n.user,
		"--rpcpass=" + n.pass,
		"--rpclisten=127.0.0.1:" + strconv.Itoa(n.rpcPort),
		"--listen=127.0.0.1:" + strconv.Itoa(n.p2pPort),
		"--nodnsseed", "--noonion", "--txindex", "--addrindex",
		"--miningaddr=" + n.mining,
		"--debuglevel=info",
	}
	if n.noTLS {
		a = append(a, "--notls")
	} else {
		a = append(a, "--rpccert="+n.CertFile(), "--rpckey="+filepath.Join(n.dir, "rpc.key"))
	}
	return a
}

func (n *Node) start(ctx context.Context) error {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		var err error
		if n.rpcPort, err = freePort(); err != nil {
			return err
		}
		if n.p2pPort, err = freePort(); err != nil {
			return err
		}
		if lastErr = n.launch(ctx); lastErr == nil {
			return nil
		}
	}
	return lastErr
}

func (n *Node) launch(ctx context.Context) error {
	logf, err := os.OpenFile(filepath.Join(n.dir, "btcd.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(n.bin, n.args()...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Dir = n.dir
	// btcd writes a sample config to $HOME/.btcd when its config file is
	// missing; point HOME at the node's own folder to be safe.
	cmd.Env = append(os.Environ(), "HOME="+n.dir)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start btcd: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	n.cmd, n.done = cmd, done
	if err := n.waitReady(ctx); err != nil {
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("%v\n%s", err, n.logTail())
	}
	return nil
}

func (n *Node) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-n.done:
			return errors.New("btcd exited while starting")
		default:
		}
		if !n.noTLS {
			if _, err := os.Stat(n.CertFile()); err != nil {
				goto wait
			}
		}
		{
			// The certificate may still be half written: retry.
			c, err := rpc.New(n.Config())
			if err != nil {
				goto wait
			}
			var count int64
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = c.Call(cctx, "getblockcount", nil, &count)
			cancel()
			if err == nil {
				n.client = c
				return nil
			}
			c.Close()
		}
	wait:
		if time.Now().After(deadline) {
			return errors.New("btcd did not answer RPC within 60 s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (n *Node) logTail() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "btcd.out"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// Config is what a client needs to reach the node.
func (n *Node) Config() rpc.Config {
	c := rpc.Config{Host: n.Host(), User: n.user, Pass: n.pass, NoTLS: n.noTLS}
	if !n.noTLS {
		c.CertFile = n.CertFile()
	}
	return c
}

// Host is 127.0.0.1:PORT of the RPC server.
func (n *Node) Host() string { return "127.0.0.1:" + strconv.Itoa(n.rpcPort) }

// User and Pass are the RPC credentials.
func (n *Node) User() string { return n.user }

// Pass is the RPC password (random per node).
func (n *Node) Pass() string { return n.pass }

// CertFile is the node's TLS certificate (empty with NoTLS).
func (n *Node) CertFile() string {
	if n.noTLS {
		return ""
	}
	return filepath.Join(n.dir, "rpc.cert")
}

// Dir is the node's data folder.
func (n *Node) Dir() string { return n.dir }

// Client is an RPC client of the node.
func (n *Node) Client() *rpc.Client { return n.client }

// MiningAddr is the address generate pays now.
func (n *Node) MiningAddr() string { return n.mining }

// Height is the number of blocks after genesis.
func (n *Node) Height(ctx context.Context) (int64, error) {
	var h int64
	err := n.client.Call(ctx, "getblockcount", nil, &h)
	return h, err
}

// Generate mines blocks to the mining address and returns their hashes.
func (n *Node) Generate(ctx context.Context, blocks int) ([]string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var hashes []string
	if err := n.client.Call(ctx, "generate", []any{blocks}, &hashes); err != nil {
		return nil, fmt.Errorf("generate %d: %w", blocks, err)
	}
	return hashes, nil
}

func (n *Node) stopProcess() error {
	if n.cmd == nil {
		return nil
	}
	if n.client != nil {
		n.client.Close()
	}
	_ = n.cmd.Process.Signal(os.Interrupt)
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	n.cmd = nil
	return nil
}

// Stop stops the node and removes its folder if Start made it.
func (n *Node) Stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopping {
		return nil
	}
	n.stopping = true
	err := n.stopProcess()
	if n.funder != nil {
		n.funder.key.Zero()
	}
	n.cleanup()
	return err
}

func (n *Node) cleanup() {
	if n.ownDir {
		_ = os.RemoveAll(n.dir)
	}
}
