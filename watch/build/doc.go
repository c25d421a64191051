// Package build holds coffer-watch's transaction arithmetic and PSBT
// roles: amounts with units (ParseAmount, ParseFeeRate, ParsePayouts for a
// CSV), input and output weights and dust (InputWeight, TxWeight, Dust),
// coin selection (Select: branch-and-bound for a changeless match, else
// change above dust, the fee rate met on the final vsize), the PSBT creator
// and updater (BuildPSBT), a check of the result by the offline signer's
// own review (CheckWithSigner), the combiner (Combine) and the finalizer
// (Finalize, VerifyTx).
//
// Call Select over the coins' values, then BuildPSBT with the chosen coins
// and their previous transactions, Serialize, and CheckWithSigner before
// handing the PSBT out. On the way back, Read each signed PSBT, Combine
// them, and Finalize.
//
// # Security
//
// BuildPSBT re-derives every input's script from the wallet's descriptor
// at its branch and index and refuses a coin whose script differs, and
// refuses a previous transaction that does not hash to the spent txid or
// whose output differs from the coin (the CVE-2020-14199 fee lie cannot
// start here). PSBTs are read with the signer's strict decoder
// (sign.Decode) before btcd's parser sees them. Fee sizes assume low-R
// ECDSA signatures (71 bytes with the sighash byte), as coffer and Bitcoin
// Core make them; a signer without low-R grinding may add a weight unit
// per signature.
//
// # Errors
//
// ErrAmount (amounts, fee rates), ErrInsufficient (*InsufficientError: the
// missing amount), ErrDifferentTx (Combine names the PSBT),
// ErrIncomplete (*IncompleteError: every input short of signatures, with
// how many it has and needs). Payout errors name the file and line.
package build
