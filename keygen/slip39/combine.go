package slip39

import "fmt"

// Combine restores the master secret from share mnemonics and the
// passphrase, as SLIP-39 "Combining the shares" does: exactly the group
// threshold of groups, each with exactly its member threshold of shares,
// all of one set. Errors are those of ParseShare, Recovery.AddShare and
// Recovery.Secret; a share that fails is named by its position ("share 3").
// The caller wipes the result.
func Combine(mnemonics [][]byte, passphrase []byte) ([]byte, error) {
	if len(mnemonics) == 0 {
		return nil, &InsufficientError{}
	}
	var r Recovery
	defer r.Wipe()
	for i, m := range mnemonics {
		if err := r.Add(m); err != nil {
			return nil, fmt.Errorf("share %d: %w", i+1, err)
		}
	}
	st := r.Status()
	if st.Complete() {
		for _, g := range st.Groups {
			if g.Have > 0 && !g.Complete() {
				return nil, &NotNeededError{Group: g.Index + 1, Incomplete: true}
			}
		}
	}
	return r.Secret(passphrase)
}
