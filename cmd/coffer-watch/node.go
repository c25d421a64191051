package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch"
	"github.com/coffer-custody/coffer/watch/build"
	"github.com/coffer-custody/coffer/watch/chain"
	"github.com/coffer-custody/coffer/watch/rpc"
	"github.com/coffer-custody/coffer/watch/store"
)

// configFile is the settings file inside the data folder: "key = value"
// lines with the long flag names (backend, node, rpc-user, rpc-pass,
// rpc-cookie, rpc-cert, no-tls, core-wallet, network).
const configFile = "config"

// maxConfig bounds the config file.
const maxConfig = 64 << 10

// settingNames are the settings a flag, a COFFER_WATCH_* variable or the
// config file may give, in that order of precedence.
var settingNames = []string{"network", "backend", "node", "rpc-user", "rpc-pass", "rpc-cookie", "rpc-cert", "no-tls", "core-wallet"}

// secretSetting is the one secret setting. Issue 4 names a --rpc-pass
// flag and scripts are written against it, so the flag exists; but a
// command line is visible to every local user (ps, /proc/PID/cmdline) and
// lands in the shell's history, so every use of it prints passWarning. The
// config file (which must then be private to its owner) and
// COFFER_WATCH_RPC_PASS are the ways to give it.
const secretSetting = "rpc-pass"

// passWarning is printed whenever --rpc-pass is used.
const passWarning = "--rpc-pass puts the node's password on the command line, where every local user can read it (ps) and the shell's history keeps it; write 'rpc-pass = ...' into the config file of the data folder (mode 0600), set COFFER_WATCH_RPC_PASS, or use --rpc-cookie"

// watchFlags are the data folder and node settings every command shares.
type watchFlags struct {
	data   string
	values map[string]*string
	noTLS  bool
}

func (w *watchFlags) register(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&w.data, "data", "", "data folder (default $COFFER_WATCH_DATA, else ~/.coffer-watch)")
	w.values = map[string]*string{}
	help := map[string]string{
		"network":     "network of the database: mainnet, testnet, signet or regtest (default: the database's, else the wallet file's)",
		"backend":     "node software: core or btcd",
		"node":        "node RPC address HOST:PORT",
		"rpc-user":    "RPC user",
		"rpc-pass":    "RPC password — visible to every local user and kept in the shell's history: prefer rpc-pass in the config file (mode 0600) or COFFER_WATCH_RPC_PASS",
		"rpc-cookie":  "Bitcoin Core's .cookie file, instead of --rpc-user and --rpc-pass",
		"rpc-cert":    "btcd's rpc.cert, to check the node's TLS certificate",
		"core-wallet": "Bitcoin Core watch-only wallet to import descriptors into (default: scantxoutset, no wallet)",
	}
	for _, name := range settingNames {
		if name == "no-tls" {
			continue
		}
		v := new(string)
		w.values[name] = v
		f.StringVar(v, name, "", help[name])
	}
	f.BoolVar(&w.noTLS, "no-tls", false, "plain HTTP to the node (loopback only)")
}

// settings resolves every setting: flag, then COFFER_WATCH_<NAME>, then
// the config file of the data folder.
type settings map[string]string

func (g *globalOptions) dataDir() (string, error) {
	dir := g.w.data
	if dir == "" {
		dir = os.Getenv("COFFER_WATCH_DATA")
	}
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return "", cli.Failf("pass --data DIR or set COFFER_WATCH_DATA", "no data folder: --data is not set and neither are COFFER_WATCH_DATA and HOME")
		}
		dir = filepath.Join(home, ".coffer-watch")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", cli.Failf("", "data folder %q: %v", dir, err)
	}
	return abs, nil
}

func envName(setting string) string {
	return "COFFER_WATCH_" + strings.ToUpper(strings.ReplaceAll(setting, "-", "_"))
}

func (g *globalOptions) settings(cmd *cobra.Command, dir string) (settings, error) {
	// The config file first; variables and flags override it.
	s, err := readConfig(filepath.Join(dir, configFile))
	if err != nil {
		return nil, err
	}
	for _, n := range settingNames {
		if v := os.Getenv(envName(n)); v != "" {
			s[n] = v
		}
		if n == "no-tls" {
			if cmd.Flags().Changed("no-tls") {
				s[n] = fmt.Sprint(g.w.noTLS)
			}
			continue
		}
		if f := cmd.Flags().Lookup(n); f != nil && f.Changed && g.w.values[n] != nil {
			s[n] = *g.w.values[n]
			if n == secretSetting {
				cli.Warn(cmd.ErrOrStderr(), prog, "%s", passWarning)
			}
		}
	}
	return s, nil
}

// readConfig reads the config file at path; a missing file is no
// settings. A line is named by its number and its key, never its value
// (a mistyped "rpc-password = ..." must not print the password). A file
// holding rpc-pass must be its owner's alone, as ssh wants of a key.
func readConfig(path string) (settings, error) {
	s := settings{}
	// Stat first: opening a FIFO or a device would block or never end.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, cli.Failf("the config file holds \"setting = value\" lines", "the config file %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, cli.Failf("", "cannot read the config file %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, cli.Failf("", "cannot read the config file %s: %v", path, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, cli.Failf("the config file holds \"setting = value\" lines", "the config file %s is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConfig+1))
	if err != nil {
		return nil, cli.Failf("", "cannot read the config file %s: %v", path, unwrapPath(err))
	}
	if len(b) > maxConfig {
		return nil, cli.Failf("", "the config file %s is larger than %d bytes", path, maxConfig)
	}
	known := map[string]bool{}
	for _, n := range settingNames {
		known[n] = true
	}
	hint := "settings are " + strings.Join(settingNames, ", ")
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxConfig+1)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
			// The whole line may be a password: it is not shown.
			return nil, cli.Failf(hint, "%s line %d is not \"setting = value\" (the line is not shown: it may hold a secret)", path, line)
		case !known[k]:
			return nil, cli.Failf(hint, "%s line %d: %s is not a known setting (the value is not shown)", path, line, showKey(k))
		}
		s[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, cli.Failf("", "cannot read the config file %s: %v", path, err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o022 != 0 {
		// Whoever may write it may point coffer-watch at their own node,
		// which then receives the RPC credentials.
		return nil, cli.Failf("chmod 600 "+path,
			"the config file %s is writable by group or others (mode %04o), who could point coffer-watch at another node; it must be writable by its owner only", path, fi.Mode().Perm())
	}
	if s[secretSetting] != "" && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, cli.Failf("chmod 600 "+path,
			"the config file %s holds rpc-pass but is open to group or others (mode %04o); it must be readable by its owner only", path, fi.Mode().Perm())
	}
	return s, nil
}

// showKey quotes a config key for a message when it looks like a setting
// name; anything else (a password typed on the wrong side of the "=") is
// not shown.
func showKey(k string) string {
	if k == "" {
		return "the empty key"
	}
	if len(k) > 32 {
		return "the key"
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "the key"
		}
	}
	return strconv.Quote(k)
}

// session is an open database with the service over it.
type session struct {
	svc   *watch.Service
	dir   string
	close func()
}

type openMode int

const (
	offline  openMode = iota // no node
	withNode                 // the command talks to the node
)

// open opens the data folder and database, settles the network (flag,
// variable, config, else the database's; fallback, when given, for a
// database without wallets), and connects the node when mode asks.
func (g *globalOptions) open(cmd *cobra.Command, mode openMode, fallback wallet.Network) (*session, error) {
	dir, err := g.dataDir()
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, cli.Failf("pass --data with a folder (it is made on first use)", "the data folder %s is not a folder", dir)
	}
	set, err := g.settings(cmd, dir)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(dir)
	if err != nil {
		return nil, cli.Failf(dbHint(err), "%v", err)
	}
	ok := false
	defer func() {
		if !ok {
			st.Close()
		}
	}()
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	dbNet, has, err := st.Network(ctx)
	if err != nil {
		return nil, cli.Failf(dbHint(err), "%v", err)
	}
	var n wallet.Network
	if name := set["network"]; name != "" {
		if n, err = wallet.ParseNetwork(name); err != nil {
			return nil, cli.Failf("", "--network: %v", err)
		}
		if has && n != dbNet {
			return nil, cli.Failf("use another --data folder for "+n.String(), "the database in %s is on %s, not %s", dir, dbNet, n)
		}
	} else if has {
		n = dbNet
	} else {
		n = fallback
	}
	svc := &watch.Service{Store: st, Network: n}
	if mode == withNode {
		if !n.Valid() {
			return nil, cli.Failf("import a wallet first, or pass --network", "the database in %s has no network yet", dir)
		}
		b, host, err := connect(set)
		if err != nil {
			return nil, err
		}
		svc.Node, svc.NodeHost = b, host
	}
	ok = true
	return &session{svc: svc, dir: dir, close: func() { st.Close() }}, nil
}

// dbHint is the next step for a database that cannot be opened.
func dbHint(err error) string {
	m := err.Error()
	switch {
	case strings.Contains(m, "not a database"), strings.Contains(m, "malformed"):
		return "the file is not a coffer-watch database or is damaged, and was left as it is: restore it from a backup, or use another --data folder"
	case strings.Contains(m, "unable to open"):
		return "the database must be a file the user can read and write; check --data"
	}
	return ""
}

// requireDB refuses a command that only makes sense with wallets when the
// data folder has no database: a mistyped --data must not create an empty
// database and report a balance of zero.
func (g *globalOptions) requireDB() error {
	dir, err := g.dataDir()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); errors.Is(err, os.ErrNotExist) {
		return cli.Failf("check --data and COFFER_WATCH_DATA; 'coffer-watch wallet import' makes the database",
			"no coffer-watch database in %s: no wallet was imported there", dir)
	}
	return nil
}

// query is the body of a command that reads the database and not the
// node: open it, ask the service, write the answer as JSON under --json or
// else with text. A service error gets nodeError's hint.
func query[T any](cmd *cobra.Command, g *globalOptions, ask func(context.Context, *watch.Service) (T, error), text func(io.Writer, T)) error {
	if err := g.requireDB(); err != nil {
		return err
	}
	s, err := g.open(cmd, offline, 0)
	if err != nil {
		return err
	}
	defer s.close()
	res, err := ask(cmd.Context(), s.svc)
	if err != nil {
		return nodeError(err)
	}
	w := cmd.OutOrStdout()
	if g.json {
		return cli.WriteJSON(w, res)
	}
	text(w, res)
	return nil
}

// orEmpty makes a nil list an empty one, so that --json writes [] for it.
func orEmpty[E any](xs []E) []E {
	if xs == nil {
		return []E{}
	}
	return xs
}

// connect makes the backend from the settings.
func connect(set settings) (chain.Backend, string, error) {
	backend := set["backend"]
	if backend == "" {
		return nil, "", cli.Failf("pass --backend core|btcd --node HOST:PORT, or write them into the config file of the data folder", "no node: --backend is not set")
	}
	noTLS := false
	if v := set["no-tls"]; v != "" {
		switch v {
		case "true", "1", "yes":
			noTLS = true
		case "false", "0", "no":
		default:
			return nil, "", cli.Failf("", "no-tls %q is not true or false", v)
		}
	}
	cfg := rpc.Config{Host: set["node"], User: set["rpc-user"], Pass: set["rpc-pass"], CookieFile: set["rpc-cookie"],
		CertFile: set["rpc-cert"], NoTLS: noTLS}
	if backend == "core" {
		cfg.Wallet = set["core-wallet"]
	}
	c, err := rpc.New(cfg)
	if err != nil {
		return nil, "", cli.Failf("check --node, --rpc-cert, --no-tls and the credentials", "%v", err)
	}
	b, err := chain.New(backend, c, cfg.Wallet != "")
	if err != nil {
		return nil, "", cli.Failf("pass --backend core or --backend btcd", "%v", err)
	}
	return b, cfg.Host, nil
}

// nodeError turns a node error into a message with a hint.
func nodeError(err error) error {
	var ce *cli.Error
	if errors.As(err, &ce) {
		return err
	}
	switch {
	case errors.Is(err, rpc.ErrUnreachable):
		return cli.Fail(cli.ExitError, err, "check that the node runs and --node is its RPC address; nothing was changed")
	case errors.Is(err, rpc.ErrAuth):
		return cli.Fail(cli.ExitError, err, "check rpc-user and rpc-pass (config file or COFFER_WATCH_RPC_PASS), or --rpc-cookie; nothing was changed")
	case errors.Is(err, chain.ErrWrongNetwork):
		return cli.Fail(cli.ExitError, err, "point --node at a node of the database's network; nothing was changed")
	case errors.Is(err, chain.ErrSyncing):
		return cli.Fail(cli.ExitError, err, "wait until the node has caught up; nothing was changed")
	case errors.Is(err, chain.ErrNoFeeEstimate):
		return cli.Fail(cli.ExitError, err, "pass --fee-rate SATVB")
	case errors.Is(err, store.ErrUnknownWallet):
		return cli.Fail(cli.ExitError, err, "'coffer-watch wallet list' shows the wallets; 'coffer-watch wallet import' adds one")
	case errors.Is(err, build.ErrAmount):
		return cli.Fail(cli.ExitError, err, "amounts take a unit: 0.5btc or 50000sat")
	case errors.Is(err, build.ErrInsufficient):
		return cli.Fail(cli.ExitError, err, "run 'coffer-watch sync' if coins arrived since, or send less")
	case errors.Is(err, watch.ErrFeeTooLow):
		return cli.Fail(cli.ExitError, err, "raise --fee-rate")
	case errors.Is(err, build.ErrIncomplete):
		return cli.Fail(cli.ExitError, err, "have the missing signers sign, then 'coffer-watch combine' their PSBTs")
	case errors.Is(err, build.ErrDifferentTx):
		return cli.Fail(cli.ExitError, err, "combine only PSBTs signed from one request")
	}
	return cli.Fail(cli.ExitError, err, "")
}

// readInput reads FILE, or standard input for "-", bounded.
func readInput(cmd *cobra.Command, name string, limit int64) ([]byte, error) {
	var r io.Reader
	if name == "" {
		return nil, cli.Failf("", "the file name is empty")
	}
	if name == "-" {
		r = cmd.InOrStdin()
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, cli.Failf("", "cannot read %s: %v", name, unwrapPath(err))
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, cli.Failf("", "cannot read %s: %v", name, unwrapPath(err))
	}
	if int64(len(b)) > limit {
		return nil, cli.Failf("", "%s is larger than %d bytes", name, limit)
	}
	return b, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// displayName names an input file in messages.
func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// checkOut refuses an --out file that exists, or that cannot be written
// (its folder is missing, not a folder, or not writable), before anything
// is done: a command must not save a request, import a wallet or
// broadcast and only then find that it cannot write its result.
func checkOut(path string) error {
	if path == "" {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return cli.Failf("choose another --out, or move the old file away", "%s exists; it is never overwritten", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return cli.Failf("create the folder first, or choose another --out", "cannot write %s: the folder %s does not exist", path, dir)
	case err != nil:
		return cli.Failf("choose another --out", "cannot write %s: %v", path, unwrapPath(err))
	case !fi.IsDir():
		return cli.Failf("choose another --out", "cannot write %s: %s is not a folder", path, dir)
	}
	probe, err := os.CreateTemp(dir, ".coffer-watch-probe-*")
	if err != nil {
		return cli.Failf("choose another --out", "cannot write %s: cannot create a file in the folder %s: %v", path, dir, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// outError is the error of a failed write of the --out file path: the
// message names the file once, and says what was done already (done, if
// not empty, begins the sentence: "request r1 is saved").
func outError(path string, err error, done, hint string) error {
	msg := strings.TrimPrefix(err.Error(), "write "+path+": ")
	if errors.Is(err, fs.ErrExist) {
		msg = "it exists and is never overwritten"
	}
	if done != "" {
		return cli.Failf(hint, "%s, but %s could not be written: %s", done, path, msg)
	}
	return cli.Failf(hint, "cannot write %s: %s", path, msg)
}
