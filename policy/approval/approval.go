package approval

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// SigSuffix is appended to an approval file's name to name its signature:
// A.json is signed by A.json.sig, as `ssh-keygen -Y sign` names it.
const SigSuffix = ".sig"

// MaxApprovals bounds how many approvals one folder or PSBT may carry.
const MaxApprovals = 256

// Approval is a parsed approval document with its signature, not yet
// checked against anyone's key: the policy knows who may approve, and
// checks the signature against the key it lists for the approver.
type Approval struct {
	Name string    // where it came from, for messages: a file name or "PSBT approval #2"
	Doc  *Document // the parsed document
	Raw  []byte    // the document's exact bytes, which the signature covers
	Sig  *Signature
}

// Parse reads an approval document and its armored signature. name says
// where they came from, for messages.
func Parse(name string, doc, sig []byte) (*Approval, error) {
	d, err := ParseDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s, err := ParseSignature(sig)
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w", name, SigSuffix, err)
	}
	return &Approval{Name: name, Doc: d, Raw: append([]byte(nil), doc...), Sig: s}, nil
}

// Verify checks that the approval's signature is pub's, in the approval
// namespace, over the document's exact bytes.
func (a *Approval) Verify(pub PublicKey) error {
	return a.Sig.Verify(pub, NamespaceApproval, a.Raw)
}

// ReadDir reads every "*.json" file of dir with its "*.json.sig" beside it.
// A .json without its .sig, a .sig without its .json, or a file that does
// not parse is an error naming the file.
func ReadDir(dir string) ([]*Approval, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("approvals folder %s: %v", dir, unwrapPath(err))
	}
	names := map[string]bool{}
	for _, e := range entries {
		if e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0 {
			names[e.Name()] = true
		}
	}
	var docs []string
	for n := range names {
		switch {
		case strings.HasSuffix(n, ".json"):
			docs = append(docs, n)
		case strings.HasSuffix(n, ".json"+SigSuffix):
			if !names[strings.TrimSuffix(n, SigSuffix)] {
				return nil, fmt.Errorf("approval signature %s has no %s beside it", filepath.Join(dir, n), strings.TrimSuffix(n, SigSuffix))
			}
		}
	}
	sort.Strings(docs)
	if len(docs) > MaxApprovals {
		return nil, fmt.Errorf("approvals folder %s holds %d approvals, more than %d", dir, len(docs), MaxApprovals)
	}
	var out []*Approval
	for _, n := range docs {
		p := filepath.Join(dir, n)
		if !names[n+SigSuffix] {
			return nil, fmt.Errorf("approval %s has no signature %s%s beside it", p, n, SigSuffix)
		}
		doc, err := readBounded(p, MaxDocumentSize)
		if err != nil {
			return nil, err
		}
		sig, err := readBounded(p+SigSuffix, MaxSignatureSize)
		if err != nil {
			return nil, err
		}
		a, err := Parse(p, doc, sig)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// ReadFiles reads one approval and its signature from the named files.
func ReadFiles(docPath, sigPath string) (*Approval, error) {
	doc, err := readBounded(docPath, MaxDocumentSize)
	if err != nil {
		return nil, err
	}
	sig, err := readBounded(sigPath, MaxSignatureSize)
	if err != nil {
		return nil, err
	}
	d, err := ParseDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", docPath, err)
	}
	s, err := ParseSignature(sig)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sigPath, err)
	}
	return &Approval{Name: docPath, Doc: d, Raw: doc, Sig: s}, nil
}

// readBounded reads a file of at most max bytes.
func readBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return b, nil
}

// ReadSignatureFile reads an armored signature file.
func ReadSignatureFile(path string) (*Signature, error) {
	b, err := readBounded(path, MaxSignatureSize)
	if err != nil {
		return nil, err
	}
	s, err := ParseSignature(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
