package sign

import "fmt"

// PSBT key types, from the BIP174 type registry (bip-0174/type-registry).
const (
	globalUnsignedTx       = 0x00
	globalXpub             = 0x01
	globalTxVersion        = 0x02
	globalFallbackLocktime = 0x03
	globalInputCount       = 0x04
	globalOutputCount      = 0x05
	globalTxModifiable     = 0x06
	globalSPECDHShare      = 0x07
	globalSPDLEQ           = 0x08
	globalGenericSignedMsg = 0x09
	globalVersion          = 0xfb
	globalProprietary      = 0xfc

	inNonWitnessUtxo        = 0x00
	inWitnessUtxo           = 0x01
	inPartialSig            = 0x02
	inSighashType           = 0x03
	inRedeemScript          = 0x04
	inWitnessScript         = 0x05
	inBip32Derivation       = 0x06
	inFinalScriptSig        = 0x07
	inFinalScriptWitness    = 0x08
	inPORCommitment         = 0x09
	inRipemd160             = 0x0a
	inSha256                = 0x0b
	inHash160               = 0x0c
	inHash256               = 0x0d
	inPreviousTxid          = 0x0e
	inOutputIndex           = 0x0f
	inSequence              = 0x10
	inRequiredTimeLocktime  = 0x11
	inRequiredHeightLocktim = 0x12
	inTapKeySig             = 0x13
	inTapScriptSig          = 0x14
	inTapLeafScript         = 0x15
	inTapBip32Derivation    = 0x16
	inTapInternalKey        = 0x17
	inTapMerkleRoot         = 0x18
	inMusig2Participants    = 0x1a
	inMusig2PubNonce        = 0x1b
	inMusig2PartialSig      = 0x1c
	inSPECDHShare           = 0x1d
	inSPDLEQ                = 0x1e
	inSPSpendBip32Deriv     = 0x1f
	inSPTweak               = 0x20
	inProprietary           = 0xfc

	outRedeemScript        = 0x00
	outWitnessScript       = 0x01
	outBip32Derivation     = 0x02
	outAmount              = 0x03
	outScript              = 0x04
	outTapInternalKey      = 0x05
	outTapTree             = 0x06
	outTapBip32Derivation  = 0x07
	outMusig2Participants  = 0x08
	outSPV0Info            = 0x09
	outSPV0Label           = 0x0a
	outProprietary         = 0xfc
	proprietaryTypeAllMaps = 0xfc
)

// Section says which kind of PSBT map something is in.
type Section uint8

// The three kinds of PSBT map.
const (
	SectionGlobal Section = iota + 1
	SectionInput
	SectionOutput
)

func (s Section) String() string {
	switch s {
	case SectionGlobal:
		return "global"
	case SectionInput:
		return "input"
	case SectionOutput:
		return "output"
	}
	return fmt.Sprintf("Section(%d)", uint8(s))
}

var globalNames = map[uint64]string{
	globalUnsignedTx:       "PSBT_GLOBAL_UNSIGNED_TX",
	globalXpub:             "PSBT_GLOBAL_XPUB",
	globalTxVersion:        "PSBT_GLOBAL_TX_VERSION",
	globalFallbackLocktime: "PSBT_GLOBAL_FALLBACK_LOCKTIME",
	globalInputCount:       "PSBT_GLOBAL_INPUT_COUNT",
	globalOutputCount:      "PSBT_GLOBAL_OUTPUT_COUNT",
	globalTxModifiable:     "PSBT_GLOBAL_TX_MODIFIABLE",
	globalSPECDHShare:      "PSBT_GLOBAL_SP_ECDH_SHARE",
	globalSPDLEQ:           "PSBT_GLOBAL_SP_DLEQ",
	globalGenericSignedMsg: "PSBT_GLOBAL_GENERIC_SIGNED_MESSAGE",
	globalVersion:          "PSBT_GLOBAL_VERSION",
	globalProprietary:      "PSBT_GLOBAL_PROPRIETARY",
}

var inputNames = map[uint64]string{
	inNonWitnessUtxo:        "PSBT_IN_NON_WITNESS_UTXO",
	inWitnessUtxo:           "PSBT_IN_WITNESS_UTXO",
	inPartialSig:            "PSBT_IN_PARTIAL_SIG",
	inSighashType:           "PSBT_IN_SIGHASH_TYPE",
	inRedeemScript:          "PSBT_IN_REDEEM_SCRIPT",
	inWitnessScript:         "PSBT_IN_WITNESS_SCRIPT",
	inBip32Derivation:       "PSBT_IN_BIP32_DERIVATION",
	inFinalScriptSig:        "PSBT_IN_FINAL_SCRIPTSIG",
	inFinalScriptWitness:    "PSBT_IN_FINAL_SCRIPTWITNESS",
	inPORCommitment:         "PSBT_IN_POR_COMMITMENT",
	inRipemd160:             "PSBT_IN_RIPEMD160",
	inSha256:                "PSBT_IN_SHA256",
	inHash160:               "PSBT_IN_HASH160",
	inHash256:               "PSBT_IN_HASH256",
	inPreviousTxid:          "PSBT_IN_PREVIOUS_TXID",
	inOutputIndex:           "PSBT_IN_OUTPUT_INDEX",
	inSequence:              "PSBT_IN_SEQUENCE",
	inRequiredTimeLocktime:  "PSBT_IN_REQUIRED_TIME_LOCKTIME",
	inRequiredHeightLocktim: "PSBT_IN_REQUIRED_HEIGHT_LOCKTIME",
	inTapKeySig:             "PSBT_IN_TAP_KEY_SIG",
	inTapScriptSig:          "PSBT_IN_TAP_SCRIPT_SIG",
	inTapLeafScript:         "PSBT_IN_TAP_LEAF_SCRIPT",
	inTapBip32Derivation:    "PSBT_IN_TAP_BIP32_DERIVATION",
	inTapInternalKey:        "PSBT_IN_TAP_INTERNAL_KEY",
	inTapMerkleRoot:         "PSBT_IN_TAP_MERKLE_ROOT",
	inMusig2Participants:    "PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS",
	inMusig2PubNonce:        "PSBT_IN_MUSIG2_PUB_NONCE",
	inMusig2PartialSig:      "PSBT_IN_MUSIG2_PARTIAL_SIG",
	inSPECDHShare:           "PSBT_IN_SP_ECDH_SHARE",
	inSPDLEQ:                "PSBT_IN_SP_DLEQ",
	inSPSpendBip32Deriv:     "PSBT_IN_SP_SPEND_BIP32_DERIVATION",
	inSPTweak:               "PSBT_IN_SP_TWEAK",
	inProprietary:           "PSBT_IN_PROPRIETARY",
}

var outputNames = map[uint64]string{
	outRedeemScript:       "PSBT_OUT_REDEEM_SCRIPT",
	outWitnessScript:      "PSBT_OUT_WITNESS_SCRIPT",
	outBip32Derivation:    "PSBT_OUT_BIP32_DERIVATION",
	outAmount:             "PSBT_OUT_AMOUNT",
	outScript:             "PSBT_OUT_SCRIPT",
	outTapInternalKey:     "PSBT_OUT_TAP_INTERNAL_KEY",
	outTapTree:            "PSBT_OUT_TAP_TREE",
	outTapBip32Derivation: "PSBT_OUT_TAP_BIP32_DERIVATION",
	outMusig2Participants: "PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS",
	outSPV0Info:           "PSBT_OUT_SP_V0_INFO",
	outSPV0Label:          "PSBT_OUT_SP_V0_LABEL",
	outProprietary:        "PSBT_OUT_PROPRIETARY",
}

// fieldName names key type typ of section s the way the BIPs do, or
// "unknown key type 0x.." for types no BIP defines.
func fieldName(s Section, typ uint64) string {
	var names map[uint64]string
	switch s {
	case SectionGlobal:
		names = globalNames
	case SectionInput:
		names = inputNames
	case SectionOutput:
		names = outputNames
	}
	if n, ok := names[typ]; ok {
		return n
	}
	return fmt.Sprintf("unknown key type 0x%02x", typ)
}

// v2Only lists the key types BIP370 and BIP375/376 exclude from version 0.
func v2Only(s Section, typ uint64) bool {
	switch s {
	case SectionGlobal:
		return typ >= globalTxVersion && typ <= globalSPDLEQ
	case SectionInput:
		return (typ >= inPreviousTxid && typ <= inRequiredHeightLocktim) ||
			(typ >= inSPECDHShare && typ <= inSPTweak)
	case SectionOutput:
		return typ == outAmount || typ == outScript || typ == outSPV0Info || typ == outSPV0Label
	}
	return false
}

// v0Only lists the key types BIP370 excludes from version 2.
func v0Only(s Section, typ uint64) bool {
	return s == SectionGlobal && typ == globalUnsignedTx
}
