package slip39

// RS1024 is the Reed-Solomon checksum over GF(1024) that closes every share
// mnemonic (SLIP-39 "Checksum"): three 10-bit words after the data words.

const (
	// customization strings mixed into the checksum ahead of the data.
	customization           = "shamir"
	customizationExtendable = "shamir_extendable"
	checksumWords           = 3
)

var rs1024Gen = [10]uint32{
	0xe0e040, 0x1c1c080, 0x3838100, 0x7070200, 0xe0e0009,
	0x1c0c2412, 0x38086c24, 0x3090fc48, 0x21b1f890, 0x3f3f120,
}

func rs1024Step(chk uint32, v uint32) uint32 {
	b := chk >> 20
	chk = (chk&0xfffff)<<10 ^ v
	for i := range 10 {
		chk ^= rs1024Gen[i] & -((b >> i) & 1)
	}
	return chk
}

func rs1024Polymod(cs string, words []int, extra int) uint32 {
	chk := uint32(1)
	for i := range len(cs) {
		chk = rs1024Step(chk, uint32(cs[i]))
	}
	for _, w := range words {
		chk = rs1024Step(chk, uint32(w))
	}
	for range extra {
		chk = rs1024Step(chk, 0)
	}
	return chk
}

func customizationString(extendable bool) string {
	if extendable {
		return customizationExtendable
	}
	return customization
}

// rs1024Checksum returns the three checksum words for the data words.
func rs1024Checksum(extendable bool, data []int) [checksumWords]int {
	pm := rs1024Polymod(customizationString(extendable), data, checksumWords) ^ 1
	var out [checksumWords]int
	for i := range checksumWords {
		out[i] = int(pm>>(10*(2-i))) & 1023
	}
	return out
}

// rs1024Verify reports whether words (data followed by checksum) carry a
// valid checksum.
func rs1024Verify(extendable bool, words []int) bool {
	return rs1024Polymod(customizationString(extendable), words, 0) == 1
}
