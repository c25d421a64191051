package watch

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/coffer-custody/coffer/export"
	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch/chain"
	"github.com/coffer-custody/coffer/watch/store"
)

// Service is coffer-watch's core over one database and, for the commands
// that need it, one node.
type Service struct {
	Store   *store.Store
	Network wallet.Network
	// Node is nil for the commands that work offline (import, addresses,
	// balance, requests, combine).
	Node     chain.Backend
	NodeHost string
	Now      func() time.Time
	Rand     io.Reader
}

// ErrNoNode means a command needs a node and none is configured.
var ErrNoNode = errors.New("no node is configured")

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

func (s *Service) randInt(n int) (int, error) {
	if n <= 1 {
		return 0, nil
	}
	v, err := rand.Int(s.rand(), big.NewInt(int64(n)))
	if err != nil {
		return 0, err
	}
	return int(v.Int64()), nil
}

// node checks the node (network, sync) before a command that uses it.
func (s *Service) node(ctx context.Context) (*chain.Info, error) {
	if s.Node == nil {
		return nil, ErrNoNode
	}
	return chain.Check(ctx, s.Node, s.NodeHost, s.Network)
}

// WalletInfo is a stored wallet with its parsed descriptor.
type WalletInfo struct {
	*store.Wallet
	Desc *wallet.Descriptor
}

func (s *Service) wallet(ctx context.Context, name string) (*WalletInfo, error) {
	w, err := s.Store.Wallet(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.info(w)
}

func (s *Service) info(w *store.Wallet) (*WalletInfo, error) {
	d, err := wallet.ParseDescriptorWithChecksum(w.Descriptor)
	if err != nil {
		return nil, fmt.Errorf("wallet %q: stored descriptor: %v", w.Name, err)
	}
	return &WalletInfo{Wallet: w, Desc: d}, nil
}

// deriver gives a wallet's addresses for the store.
func (s *Service) deriver(d *wallet.Descriptor) store.Deriver {
	return func(branch, index uint32) (string, []byte, error) {
		os, err := d.Derive(branch, index)
		if err != nil {
			return "", nil, err
		}
		a, err := wallet.AddressFromScript(os.ScriptPubKey, s.Network)
		if err != nil {
			return "", nil, err
		}
		return a.EncodeAddress(), os.ScriptPubKey, nil
	}
}

// ImportResult describes an imported wallet.
type ImportResult struct {
	Name       string `json:"name"`
	Descriptor string `json:"descriptor"`
	Script     string `json:"script"`
	Threshold  int    `json:"threshold"`
	Keys       int    `json:"keys"`
	Format     string `json:"format"`
	Network    string `json:"network"`
	First      string `json:"first_address"`
}

// ImportWallet stores a wallet read by ParseWalletFile under name (a
// default from its shape when empty). The file's network, the database's
// and s.Network must agree; keys of another network are refused; a first
// address the file states must be the one derived.
func (s *Service) ImportWallet(ctx context.Context, im *Imported, name string) (*ImportResult, error) {
	if im.Network != 0 && im.Network != s.Network {
		return nil, fmt.Errorf("the file is a %s wallet, the database is on %s", im.Network, s.Network)
	}
	d := im.Descriptor
	if err := d.CheckNetwork(s.Network); err != nil {
		return nil, fmt.Errorf("the wallet's keys are not for %s: %w", s.Network, err)
	}
	st := d.ScriptType()
	if !st.Valid() {
		return nil, fmt.Errorf("descriptor %s is not a wallet coffer-watch spends from (wpkh, sh(wpkh), tr, wsh(sortedmulti), sh(wsh(sortedmulti)))", d)
	}
	for i, k := range d.Keys() {
		if _, ok := k.Origin(); !ok {
			return nil, fmt.Errorf("key %d of the descriptor has no origin [fingerprint/path]: no signer could recognise its coins", i+1)
		}
		if k.ExtendedKey() == nil || !k.IsRange() {
			return nil, fmt.Errorf("key %d of the descriptor is not an xpub ending in /<0;1>/*", i+1)
		}
	}
	first, err := d.Address(0, 0, s.Network)
	if err != nil {
		return nil, fmt.Errorf("first address: %v", err)
	}
	if im.First != "" && im.First != first.EncodeAddress() {
		return nil, fmt.Errorf("the file states first address %s, but its descriptor gives %s", im.First, first.EncodeAddress())
	}
	if name == "" {
		name = wallet.DefaultWalletName(d)
	}
	if err := wallet.CheckWalletName(name); err != nil && !strings.Contains(err.Error(), "own accounts") {
		return nil, err
	}
	threshold := d.Threshold()
	if threshold == 0 {
		threshold = 1
	}
	w := &store.Wallet{Name: name, Descriptor: d.String(), Script: st, Threshold: threshold, Keys: len(d.Keys()),
		Source: im.Format, Created: s.now()}
	if err := s.Store.AddWallet(ctx, s.Network, w); err != nil {
		return nil, err
	}
	return &ImportResult{Name: name, Descriptor: d.String(), Script: st.String(), Threshold: threshold, Keys: len(d.Keys()),
		Format: im.Format, Network: s.Network.String(), First: first.EncodeAddress()}, nil
}

// KeyFromRecord reads one signer's key for create-multisig: a signed BIP129
// key record (its signature checked) or a line "[fingerprint/path]xpub".
func KeyFromRecord(data []byte, name string) (wallet.AccountKey, error) {
	t := strings.TrimSpace(string(data))
	key := t
	if strings.HasPrefix(t, export.BSMSVersion) {
		r, err := export.ParseKeyRecord([]byte(t))
		if err != nil {
			return wallet.AccountKey{}, fmt.Errorf("%s: %v", name, err)
		}
		if len(r.Token) > 1 || (len(r.Token) == 1 && r.Token[0] != 0) {
			return wallet.AccountKey{}, fmt.Errorf("%s: the key record carries a TOKEN; decrypt it first", name)
		}
		if err := r.Verify(); err != nil {
			return wallet.AccountKey{}, fmt.Errorf("%s: the key record's signature does not verify: %v", name, err)
		}
		key = r.Key
	} else if strings.Contains(t, "\n") {
		return wallet.AccountKey{}, fmt.Errorf("%s is neither a BSMS key record nor one [fingerprint/path]xpub line", name)
	}
	d, err := wallet.ParseDescriptor("pk(" + key + ")")
	if err != nil {
		return wallet.AccountKey{}, fmt.Errorf("%s: key: %v", name, err)
	}
	k := d.Keys()[0]
	o, ok := k.Origin()
	if !ok || k.ExtendedKey() == nil || k.HasDerivation() {
		return wallet.AccountKey{}, fmt.Errorf("%s: the key must be [fingerprint/path]xpub with no derivation after it", name)
	}
	return wallet.AccountKey{Origin: o, XPub: k.ExtendedKey()}, nil
}

// CreateMultisig builds the BIP129 coordinator's wallet from the signers'
// keys: wsh(sortedmulti(threshold, key/<0;1>/*, ...)) with key origins and
// checksum, imports it under name and returns it with its BIP129
// descriptor record.
func (s *Service) CreateMultisig(ctx context.Context, name string, threshold int, keys []wallet.AccountKey) (*ImportResult, []byte, error) {
	if len(keys) < 2 {
		return nil, nil, fmt.Errorf("a multisig wallet needs at least 2 keys, got %d", len(keys))
	}
	if threshold < 1 || threshold > len(keys) {
		return nil, nil, fmt.Errorf("--threshold %d is not between 1 and %d (the number of keys)", threshold, len(keys))
	}
	seen := map[string]int{}
	for i, k := range keys {
		x := k.XPub.String()
		if j, dup := seen[x]; dup {
			return nil, nil, fmt.Errorf("key %d is the same xpub as key %d", i+1, j+1)
		}
		seen[x] = i
	}
	d, err := wallet.MultisigDescriptor(wallet.ScriptWSHMulti, threshold, keys)
	if err != nil {
		return nil, nil, err
	}
	res, err := s.ImportWallet(ctx, &Imported{Descriptor: d, Format: "create-multisig"}, name)
	if err != nil {
		return nil, nil, err
	}
	rec, err := BSMSDescriptorRecord(d, s.Network)
	if err != nil {
		return nil, nil, err
	}
	return res, rec, nil
}

// AddressInfo is one address of a wallet.
type AddressInfo struct {
	Branch  uint32 `json:"branch"`
	Index   uint32 `json:"index"`
	Path    string `json:"path"`
	Address string `json:"address"`
	Used    bool   `json:"used"`
	Given   bool   `json:"given"`
}

// Addresses derives count addresses of a wallet's receive (or change)
// branch from index 0, with what the database knows of each.
func (s *Service) Addresses(ctx context.Context, name string, change bool, count int) ([]AddressInfo, error) {
	w, err := s.wallet(ctx, name)
	if err != nil {
		return nil, err
	}
	if count < 1 || count > 100_000 {
		return nil, fmt.Errorf("--count %d is not between 1 and 100000", count)
	}
	branch := uint32(0)
	if change {
		branch = 1
	}
	known, err := s.Store.Addresses(ctx, w.ID, branch)
	if err != nil {
		return nil, err
	}
	state := map[uint32]store.Address{}
	for _, a := range known {
		state[a.Index] = a
	}
	spks, err := scriptPubKeys(w.Desc, branch, uint32(count))
	if err != nil {
		return nil, err
	}
	res := make([]AddressInfo, len(spks))
	for i, spk := range spks {
		a, err := wallet.AddressFromScript(spk, s.Network)
		if err != nil {
			return nil, err
		}
		k := state[uint32(i)]
		res[i] = AddressInfo{Branch: branch, Index: uint32(i), Path: fmt.Sprintf("%d/%d", branch, i), Address: a.EncodeAddress(), Used: k.Used, Given: k.Given}
	}
	return res, nil
}

// Receive hands out the wallet's next unused receive address.
func (s *Service) Receive(ctx context.Context, name string) (*AddressInfo, error) {
	w, err := s.wallet(ctx, name)
	if err != nil {
		return nil, err
	}
	a, err := s.Store.NextReceive(ctx, w.ID, s.deriver(w.Desc))
	if err != nil {
		return nil, err
	}
	return &AddressInfo{Branch: 0, Index: a.Index, Path: fmt.Sprintf("0/%d", a.Index), Address: a.Address, Given: true}, nil
}

// scriptPubKeys derives the output scripts of indexes [0, count) of a
// branch, in chunks on every core for long lists.
func scriptPubKeys(d *wallet.Descriptor, branch, count uint32) ([][]byte, error) {
	workers := uint32(runtime.NumCPU())
	if count < 2048 || workers < 2 {
		workers = 1
	}
	chunk := (count + workers - 1) / workers
	parts := make([][][]byte, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for k := uint32(0); k < workers; k++ {
		start := k * chunk
		if start >= count {
			break
		}
		n := min(chunk, count-start)
		wg.Add(1)
		go func() {
			defer wg.Done()
			bd, err := d.Branch(branch) // one deriver per goroutine
			if err != nil {
				errs[k] = err
				return
			}
			parts[k], errs[k] = bd.ScriptPubKeys(start, n)
		}()
	}
	wg.Wait()
	out := make([][]byte, 0, count)
	for k := range parts {
		if errs[k] != nil {
			return nil, errs[k]
		}
		out = append(out, parts[k]...)
	}
	return out, nil
}
