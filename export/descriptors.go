package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coffer-custody/coffer/wallet"
)

// DescriptorSet holds the descriptors of one wallet, each in canonical
// form with key origins and checksum.
type DescriptorSet struct {
	Receive   string // .../0/*
	Change    string // .../1/*
	Multipath string // .../<0;1>/* (BIP389)
}

// Bytes writes the set one descriptor per line: receive, change, multipath.
func (s DescriptorSet) Bytes() []byte {
	return []byte(s.Receive + "\n" + s.Change + "\n" + s.Multipath + "\n")
}

// setOf splits a <0;1> descriptor into its set, checking that each string
// parses back (checksum included) to what it says.
func setOf(d *wallet.Descriptor) (DescriptorSet, error) {
	halves := d.Expand()
	if d.MultipathLen() != 2 || len(halves) != 2 {
		return DescriptorSet{}, errors.New("descriptor is not a <receive;change> multipath descriptor")
	}
	s := DescriptorSet{Receive: halves[0].String(), Change: halves[1].String(), Multipath: d.String()}
	for _, t := range []string{s.Receive, s.Change, s.Multipath} {
		back, err := wallet.ParseDescriptorWithChecksum(t)
		if err != nil || back.String() != t {
			return DescriptorSet{}, fmt.Errorf("descriptor %q does not read back: %v", t, err)
		}
	}
	return s, nil
}

// AccountDescriptors returns the descriptors of a single-key account.
func AccountDescriptors(a Account) (DescriptorSet, error) {
	d, err := a.Descriptor()
	if err != nil {
		return DescriptorSet{}, err
	}
	return setOf(d)
}

// MultisigDescriptors returns the descriptors of a threshold-of-n
// multisig wallet (sortedmulti) whose cosigners are accounts, all of one
// network and of the multisig script type st.
func MultisigDescriptors(st wallet.ScriptType, threshold int, accounts ...Account) (DescriptorSet, error) {
	if !st.IsMultisig() {
		return DescriptorSet{}, fmt.Errorf("script type %s is not a multisig type", st)
	}
	keys := make([]wallet.AccountKey, len(accounts))
	for i, a := range accounts {
		if a.Script != st {
			return DescriptorSet{}, fmt.Errorf("cosigner %d: account is %s, not %s", i+1, a.Script, st)
		}
		if a.Network != accounts[0].Network {
			return DescriptorSet{}, fmt.Errorf("cosigner %d: network %s, but cosigner 1 is on %s", i+1, a.Network, accounts[0].Network)
		}
		k, err := a.Key()
		if err != nil {
			return DescriptorSet{}, fmt.Errorf("cosigner %d: %w", i+1, err)
		}
		keys[i] = k
	}
	d, err := wallet.MultisigDescriptor(st, threshold, keys)
	if err != nil {
		return DescriptorSet{}, err
	}
	return setOf(d)
}

// Descriptors is the "descriptor" export of a single-key account: the
// receive, change and multipath descriptors, one per line.
func Descriptors(a Account) ([]byte, error) {
	s, err := AccountDescriptors(a)
	if err != nil {
		return nil, err
	}
	return s.Bytes(), nil
}

// CoreRangeEnd is the last index Bitcoin Core is asked to watch (range
// [0, CoreRangeEnd]).
const CoreRangeEnd = 999

type coreRequest struct {
	Desc      string `json:"desc"`
	Timestamp any    `json:"timestamp"`
	Active    bool   `json:"active"`
	Internal  bool   `json:"internal"`
	Range     [2]int `json:"range"`
}

// Core is the "core" export of a single-key account: the JSON array that
// Bitcoin Core's importdescriptors takes, receive (internal false) and
// change (internal true) descriptors, active, range [0,999]. timestamp is
// when the wallet was created, for the rescan; nil writes "now" (no
// rescan: right for a wallet that has never received).
func Core(a Account, timestamp *time.Time) ([]byte, error) {
	s, err := AccountDescriptors(a)
	if err != nil {
		return nil, err
	}
	return CoreSet(s, timestamp)
}

// CoreSet is Core for any descriptor set (a multisig one, say).
func CoreSet(s DescriptorSet, timestamp *time.Time) ([]byte, error) {
	var ts any = "now"
	if timestamp != nil {
		ts = timestamp.Unix()
	}
	reqs := []coreRequest{
		{Desc: s.Receive, Timestamp: ts, Active: true, Internal: false, Range: [2]int{0, CoreRangeEnd}},
		{Desc: s.Change, Timestamp: ts, Active: true, Internal: true, Range: [2]int{0, CoreRangeEnd}},
	}
	return marshalJSON(reqs)
}

// marshalJSON writes v indented by two spaces with a final newline, and
// without HTML escaping (descriptors hold '<' and '>').
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode json: %v", err)
	}
	return b.Bytes(), nil
}
