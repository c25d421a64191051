package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/coffer-custody/coffer/export"
	"github.com/coffer-custody/coffer/wallet"
)

// MaxImportFile bounds a wallet file.
const MaxImportFile = 1 << 20

// Imported is a wallet read from one of coffer's exports.
type Imported struct {
	Descriptor *wallet.Descriptor // <0;1> multipath
	Format     string             // descriptor, core, generic-json, bsms
	Network    wallet.Network     // from the file (generic JSON), 0 when the file does not say
	First      string             // first receive address the file states, "" when it states none
}

// ErrKeyRecord means the file is a BIP129 key record: one signer's key,
// not a wallet.
var ErrKeyRecord = errors.New("a BSMS key record is one signer's key, not a wallet")

// ParseWalletFile reads any of coffer export's watch-only wallet formats:
// descriptor (receive, change and <0;1> lines), core (importdescriptors
// JSON), generic-json (Coldcard's generic export; script picks the entry,
// "" for the first single-key one) and a BIP129 descriptor record (round
// 2). Descriptor checksums are required and checked.
func ParseWalletFile(data []byte, script string) (*Imported, error) {
	if len(data) > MaxImportFile {
		return nil, fmt.Errorf("the file is larger than %d bytes", MaxImportFile)
	}
	t := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	switch {
	case strings.HasPrefix(t, export.BSMSVersion):
		return parseBSMS(t)
	case strings.HasPrefix(t, "["):
		return parseCore([]byte(t))
	case strings.HasPrefix(t, "{"):
		return parseGeneric([]byte(t), script)
	}
	return parseDescriptorLines(t)
}

// multipathOf turns a receive descriptor (.../0/*) into the <0;1> one, or
// checks a <0;1> descriptor.
func multipathOf(s string) (*wallet.Descriptor, error) {
	d, err := wallet.ParseDescriptorWithChecksum(s)
	if err != nil {
		return nil, err
	}
	if d.MultipathLen() == 2 {
		return d, nil
	}
	if d.MultipathLen() != 0 {
		return nil, fmt.Errorf("descriptor has a multipath step of %d elements, not <0;1>", d.MultipathLen())
	}
	body := d.WithoutChecksum()
	if !strings.Contains(body, "/0/*") {
		return nil, errors.New("descriptor is neither a <0;1> descriptor nor a receive descriptor ending in /0/*")
	}
	mp, err := wallet.ParseDescriptor(strings.ReplaceAll(body, "/0/*", "/<0;1>/*"))
	if err != nil {
		return nil, err
	}
	return mp, nil
}

// checkHalves checks that change is the change half of mp.
func checkHalves(mp *wallet.Descriptor, change string) error {
	if change == "" {
		return nil
	}
	c, err := wallet.ParseDescriptorWithChecksum(change)
	if err != nil {
		return fmt.Errorf("change descriptor: %w", err)
	}
	halves := mp.Expand()
	if len(halves) != 2 || halves[1].String() != c.String() {
		return errors.New("the change descriptor is not the receive descriptor's change branch")
	}
	return nil
}

func parseDescriptorLines(t string) (*Imported, error) {
	var lines []string
	for _, l := range strings.Split(t, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, errors.New("the file is empty")
	}
	for _, l := range lines {
		if strings.Contains(l, "<0;1>") {
			d, err := multipathOf(l)
			if err != nil {
				return nil, fmt.Errorf("descriptor: %w", err)
			}
			return &Imported{Descriptor: d, Format: "descriptor"}, nil
		}
	}
	d, err := multipathOf(lines[0])
	if err != nil {
		return nil, fmt.Errorf("descriptor on line 1: %w", err)
	}
	if len(lines) > 1 {
		if err := checkHalves(d, lines[1]); err != nil {
			return nil, fmt.Errorf("line 2: %w", err)
		}
	}
	return &Imported{Descriptor: d, Format: "descriptor"}, nil
}

func parseCore(b []byte) (*Imported, error) {
	var reqs []struct {
		Desc     string `json:"desc"`
		Internal bool   `json:"internal"`
	}
	if err := json.Unmarshal(b, &reqs); err != nil {
		return nil, fmt.Errorf("core json: %v", err)
	}
	var recv, change string
	for i, r := range reqs {
		if r.Desc == "" {
			return nil, fmt.Errorf("core json entry %d has no desc", i+1)
		}
		if r.Internal {
			change = r.Desc
		} else if recv == "" {
			recv = r.Desc
		}
	}
	if recv == "" {
		return nil, errors.New("core json has no receive (internal false) descriptor")
	}
	d, err := multipathOf(recv)
	if err != nil {
		return nil, fmt.Errorf("core json receive descriptor: %w", err)
	}
	if err := checkHalves(d, change); err != nil {
		return nil, fmt.Errorf("core json: %w", err)
	}
	return &Imported{Descriptor: d, Format: "core"}, nil
}

func parseGeneric(b []byte, script string) (*Imported, error) {
	var g map[string]json.RawMessage
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("generic json: %v", err)
	}
	var chain string
	if c, ok := g["chain"]; ok {
		_ = json.Unmarshal(c, &chain)
	}
	var n wallet.Network
	switch chain {
	case "BTC":
		n = wallet.Mainnet
	case "XRT":
		n = wallet.Regtest
	case "XTN":
		n = wallet.Testnet
	}
	keys := map[string]string{"wpkh": "bip84", "tr": "bip86", "sh-wpkh": "bip49"}
	order := []string{"bip84", "bip86", "bip49"}
	if script != "" {
		k, ok := keys[script]
		if !ok {
			return nil, fmt.Errorf("generic json: --script %q is not one of wpkh, tr, sh-wpkh (a multisig entry is a template, not a wallet)", script)
		}
		order = []string{k}
	}
	for _, k := range order {
		raw, ok := g[k]
		if !ok {
			continue
		}
		var e struct {
			Desc  string `json:"desc"`
			First string `json:"first"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("generic json %s: %v", k, err)
		}
		if e.Desc == "" {
			continue
		}
		d, err := multipathOf(e.Desc)
		if err != nil {
			return nil, fmt.Errorf("generic json %s desc: %w", k, err)
		}
		return &Imported{Descriptor: d, Format: "generic-json", Network: n, First: e.First}, nil
	}
	if script != "" {
		return nil, fmt.Errorf("generic json has no %s entry with a descriptor", order[0])
	}
	return nil, errors.New("generic json has no single-key entry (bip84, bip86, bip49) with a descriptor")
}

func parseBSMS(t string) (*Imported, error) {
	lines := strings.Split(t, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if len(lines) == 5 {
		if _, err := export.ParseKeyRecord([]byte(t)); err == nil {
			return nil, fmt.Errorf("%w: give the signers' key records to 'coffer-watch wallet create-multisig'", ErrKeyRecord)
		}
	}
	if len(lines) != 4 {
		return nil, fmt.Errorf("bsms descriptor record has %d lines, not 4 (BSMS 1.0, descriptor, path restrictions, first address)", len(lines))
	}
	desc := lines[1]
	if lines[2] != "No path restrictions" {
		paths := strings.Split(lines[2], ",")
		if len(paths) != 2 || paths[0] != "/0/*" || paths[1] != "/1/*" {
			return nil, fmt.Errorf("bsms path restrictions %q are not /0/*,/1/*", lines[2])
		}
		if strings.Contains(desc, "/**") {
			// BIP129 writes the /** template without a checksum; one that
			// is given must be right.
			body, has, err := wallet.SplitChecksum(desc)
			if err != nil {
				return nil, fmt.Errorf("bsms descriptor: %w", err)
			}
			if has {
				if err := wallet.VerifyChecksum(desc); err != nil {
					return nil, fmt.Errorf("bsms descriptor: %w", err)
				}
			}
			if desc, err = wallet.AddChecksum(strings.ReplaceAll(body, "/**", "/<0;1>/*")); err != nil {
				return nil, fmt.Errorf("bsms descriptor: %w", err)
			}
		}
	}
	d, err := multipathOf(desc)
	if err != nil {
		return nil, fmt.Errorf("bsms descriptor: %w", err)
	}
	return &Imported{Descriptor: d, Format: "bsms", First: lines[3]}, nil
}

// BSMSDescriptorRecord writes a BIP129 descriptor record (round 2) of a
// <0;1> descriptor: the /** template with its checksum, the path
// restrictions and the first receive address on n.
func BSMSDescriptorRecord(d *wallet.Descriptor, n wallet.Network) ([]byte, error) {
	tmpl, err := wallet.AddChecksum(strings.ReplaceAll(d.WithoutChecksum(), "/<0;1>/*", "/**"))
	if err != nil {
		return nil, err
	}
	first, err := d.Address(0, 0, n)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%s\n/0/*,/1/*\n%s\n", export.BSMSVersion, tmpl, first.EncodeAddress())
	return b.Bytes(), nil
}
