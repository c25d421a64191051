package main

// The vault's registered multisig wallets: the wallets/ folder, one signed
// JSON file per wallet (wallet/registry.go has the format), and what the
// review needs from the vault: its single-key accounts and those wallets.

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/keystore"
	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

const walletsDir = "wallets"

// maxWallets bounds the wallets/ folder read on every signing.
const maxWallets = 1000

// storedWallet is one registered wallet read back from the vault.
type storedWallet struct {
	reg  *wallet.Registration
	desc *wallet.Descriptor
	file string
}

// loadWallets reads and checks every registered wallet of the vault: each
// file must parse, carry its own name and be signed by the vault's journal
// key (pub). A missing folder means no wallet.
func loadWallets(dir string, net wallet.Network, pub ed25519.PublicKey) ([]storedWallet, error) {
	folder := filepath.Join(dir, walletsDir)
	entries, err := os.ReadDir(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, failf("", "cannot read the registered wallets in %s: %v", folder, err)
	}
	var out []storedWallet
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue // atomicfile's temporary files, editor backups
		}
		if len(out) == maxWallets {
			return nil, failf("", "%s holds more than %d wallets", folder, maxWallets)
		}
		path := filepath.Join(folder, name)
		data, err := readBounded(path, wallet.MaxRegistrationLen)
		if err != nil {
			return nil, failf("", "registered wallet %s: %v", path, err)
		}
		reg, desc, err := wallet.ParseRegistration(data, net)
		if err != nil {
			return nil, failf("move the file out of the vault's wallets/ folder and register the wallet again", "registered wallet %s: %v", path, err)
		}
		if reg.Name+".json" != name {
			return nil, failf("move the file out of the vault's wallets/ folder and register the wallet again",
				"registered wallet %s: the file is named %s but holds wallet %q", path, name, reg.Name)
		}
		if err := reg.Verify(pub); err != nil {
			return nil, failf("a file in wallets/ that this vault did not sign is never used: remove it and register the wallet with 'coffer wallet register'",
				"registered wallet %s: %v", path, err)
		}
		out = append(out, storedWallet{reg: reg, desc: desc, file: path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].reg.Name < out[j].reg.Name })
	return out, nil
}

// saveWallet writes a signed registration as wallets/NAME.json, 0600,
// atomically, never over an existing file.
func saveWallet(dir string, r *wallet.Registration) (string, error) {
	folder := filepath.Join(dir, walletsDir)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return "", failf("", "cannot create %s: %v", folder, err)
	}
	data, err := r.Marshal()
	if err != nil {
		return "", failf("", "%v", err)
	}
	path := filepath.Join(folder, r.Name+".json")
	if err := atomicfile.WriteNew(path, data, 0o600); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", fail(exitError, fmt.Errorf("a wallet named %s is already registered (%s)", r.Name, path), "choose another --name")
		}
		return "", failf("", "cannot write %s: %v", path, err)
	}
	return path, nil
}

// readBounded reads a whole regular file of at most limit bytes. Its
// errors say why in a few words ("no such file"); the caller names the
// file. A symlink out of the file's folder is refused (errLinkOut), and
// the file is opened through an os.Root of the folder so that a link
// cannot be slipped in after the check; a FIFO or device is refused
// before it is opened, so reading never blocks.
func readBounded(path string, limit int64) ([]byte, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if name == "" || name == "." || name == ".." {
		return nil, &unreadable{msg: "it is a folder, not a file", err: syscall.EISDIR}
	}
	if qrcli.LinksOut(dir, name) {
		return nil, errLinkOut
	}
	if fi, err := os.Stat(path); err != nil {
		return nil, whyUnreadable(err)
	} else if fi.IsDir() {
		return nil, &unreadable{msg: "it is a folder, not a file", err: syscall.EISDIR}
	} else if !fi.Mode().IsRegular() {
		return nil, errors.New("it is not a regular file")
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, whyUnreadable(err)
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		if qrcli.LinksOut(dir, name) {
			return nil, errLinkOut
		}
		return nil, whyUnreadable(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, whyUnreadable(err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("the file is larger than %d bytes", limit)
	}
	return data, nil
}

// errLinkOut is readBounded's refusal of a symlink out of its folder.
var errLinkOut = errors.New("it is a symlink out of its folder, and such a link is never followed: copy the file itself")

// publicVault is what commands that need no passphrase know of a vault:
// its folder, network and the journal's public key (from ceremony.json).
type publicVault struct {
	dir        string
	net        wallet.Network
	journalPub ed25519.PublicKey
}

func openPublicVault(g *globalOptions) (*publicVault, error) {
	dir, err := g.vaultDir()
	if err != nil {
		return nil, err
	}
	meta, err := keystore.ReadMeta(filepath.Join(dir, keystoreFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fail(exitError, fmt.Errorf("no vault at %s (no %s)", dir, keystoreFile), "run 'coffer keygen' or 'coffer restore', or pass --vault DIR")
	}
	if err != nil {
		return nil, failf("", "%v", err)
	}
	net, err := wallet.ParseNetwork(meta.Network)
	if err != nil {
		return nil, failf("", "keystore %s: %v", filepath.Join(dir, keystoreFile), err)
	}
	cpath := filepath.Join(dir, ceremonyFile)
	data, err := readBounded(cpath, 1<<20)
	if err != nil {
		return nil, failf("", "ceremony transcript %s: %v", cpath, err)
	}
	c, err := audit.ReadCeremony(bytes.NewReader(data), cpath)
	if err != nil {
		return nil, failf("", "%v", err)
	}
	pub, err := audit.ParsePublicKey(c.JournalPublicKey)
	if err != nil {
		return nil, failf("", "ceremony transcript %s: journal public key: %v", cpath, err)
	}
	return &publicVault{dir: dir, net: net, journalPub: pub}, nil
}

// journalPublicKey is the public half of the unlocked vault's journal key.
func (u *unlocked) journalPublicKey() ed25519.PublicKey {
	return u.journalKey.Public().(ed25519.PublicKey)
}

// ownKeys re-derives, for every key of d whose origin names the vault's
// fingerprint, the vault's key at that path and compares it with the key
// written: a matching fingerprint alone proves nothing. It returns which
// keys are the vault's; a key that names the vault but is another key is
// an error.
func ownKeys(v *unlocked, d *wallet.Descriptor) ([]bool, error) {
	keys := d.Keys()
	ours := make([]bool, len(keys))
	for i, k := range keys {
		o, ok := k.Origin()
		if !ok || o.Fingerprint != v.fingerprint {
			continue
		}
		priv, err := wallet.DerivePath(v.master, o.Path)
		if err != nil {
			return nil, fmt.Errorf("key %d names this vault at %s, which cannot be derived: %v", i+1, o.Path, err)
		}
		pub, err := wallet.Neuter(priv)
		priv.Zero()
		if err != nil {
			return nil, fmt.Errorf("key %d: cannot derive %s: %v", i+1, o.Path, err)
		}
		if !sameKey(pub, k) {
			return nil, fmt.Errorf("key %d names this vault's fingerprint %s at %s, but the vault's key there is another key",
				i+1, wallet.FormatFingerprint(v.fingerprint), o.Path)
		}
		ours[i] = true
	}
	return ours, nil
}

// sameKey compares the vault's derived public key with a descriptor key:
// the extended key (public key and chain code), or the bare public key.
func sameKey(pub *hdkeychain.ExtendedKey, k *wallet.DescriptorKey) bool {
	ec, err := pub.ECPubKey()
	if err != nil {
		return false
	}
	if x := k.ExtendedKey(); x != nil {
		xec, err := x.ECPubKey()
		return err == nil && bytes.Equal(ec.SerializeCompressed(), xec.SerializeCompressed()) && bytes.Equal(pub.ChainCode(), x.ChainCode())
	}
	kp := k.PubKey()
	return bytes.Equal(kp, ec.SerializeCompressed()) || bytes.Equal(kp, ec.SerializeUncompressed())
}

// singleKeyTypes are the script types of the vault's own accounts.
func singleKeyTypes() []wallet.ScriptType {
	return []wallet.ScriptType{wallet.ScriptWPKH, wallet.ScriptSHWPKH, wallet.ScriptTR}
}

// maxExtraAccounts bounds the accounts other than 0 that one PSBT may
// bring into the review.
const maxExtraAccounts = 100

// accountKey is one single-key account: script type and number.
type accountKey struct {
	st     wallet.ScriptType
	number uint32
}

// vaultWallets is what sign.Analyze needs from the vault: account 0 of
// each single-key script type, the other accounts in extra, and the
// registered multisig wallets.
func vaultWallets(v *unlocked, registered []storedWallet, extra []accountKey) (sign.Wallets, error) {
	w := sign.Wallets{Network: v.net, Fingerprint: v.fingerprint}
	accts := make([]accountKey, 0, 3+len(extra))
	for _, st := range singleKeyTypes() {
		accts = append(accts, accountKey{st, 0})
	}
	accts = append(accts, extra...)
	for _, ak := range accts {
		a, err := deriveAccount(v.master, v.net, ak.st, ak.number)
		if err != nil {
			return w, err
		}
		d, err := wallet.SingleSigDescriptor(ak.st, wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: v.fingerprint, Path: a.path}, XPub: a.xpub})
		if err != nil {
			return w, failf("", "cannot describe account %s: %v", a.path, err)
		}
		w.Accounts = append(w.Accounts, sign.Wallet{Name: fmt.Sprintf("%s-%d", ak.st, ak.number), Descriptor: d})
	}
	for _, r := range registered {
		w.Multisig = append(w.Multisig, sign.Wallet{Name: r.reg.Name, Descriptor: r.desc})
	}
	return w, nil
}

// extraAccounts finds, in the key claims a review lists, the vault's
// single-key accounts other than 0 (m/84h|49h|86h/COINh/Nh/branch/index on
// the vault's coin type), so that a PSBT of account 3 is reviewed against
// account 3. Each is still re-derived and compared by Analyze.
func extraAccounts(r *sign.Review, net wallet.Network, have []accountKey) []accountKey {
	seen := map[accountKey]bool{}
	for _, a := range have {
		seen[a] = true
	}
	var out []accountKey
	add := func(keys []sign.KeyUse) {
		for _, k := range keys {
			p, err := wallet.ParsePath(k.Path)
			if err != nil || len(p) != 5 || p[1] != net.CoinType()+wallet.Hardened || p[2] < wallet.Hardened || p[3] > 1 {
				continue
			}
			var st wallet.ScriptType
			switch p[0] {
			case 84 + wallet.Hardened:
				st = wallet.ScriptWPKH
			case 49 + wallet.Hardened:
				st = wallet.ScriptSHWPKH
			case 86 + wallet.Hardened:
				st = wallet.ScriptTR
			default:
				continue
			}
			ak := accountKey{st, p[2] - wallet.Hardened}
			if ak.number == 0 || seen[ak] || len(out) >= maxExtraAccounts {
				continue
			}
			seen[ak] = true
			out = append(out, ak)
		}
	}
	for _, in := range r.Inputs {
		add(in.Keys)
	}
	for _, o := range r.Outputs {
		add(o.Keys)
	}
	return out
}
