// Package qrcap gives the data capacity of QR code versions (ISO/IEC
// 18004 table 7), so that encoders can size their parts before building a
// symbol.
package qrcap

// Levels of error correction, in the order of the standard.
const (
	L = iota // about 7% of codewords can be restored
	M        // about 15%
	Q        // about 25%
	H        // about 30%
)

// dataCodewords[level][version-1] is the number of data codewords.
var dataCodewords = [4][40]int{
	L: {19, 34, 55, 80, 108, 136, 156, 194, 232, 274, 324, 370, 428, 461, 523, 589, 647, 721, 795, 861,
		932, 1006, 1094, 1174, 1276, 1370, 1468, 1531, 1631, 1735, 1843, 1955, 2071, 2191, 2306, 2434, 2566, 2702, 2812, 2956},
	M: {16, 28, 44, 64, 86, 108, 124, 154, 182, 216, 254, 290, 334, 365, 415, 453, 507, 563, 627, 669,
		714, 782, 860, 914, 1000, 1062, 1128, 1193, 1267, 1373, 1455, 1541, 1631, 1725, 1812, 1914, 1992, 2102, 2216, 2334},
	Q: {13, 22, 34, 48, 62, 76, 88, 110, 132, 154, 180, 206, 244, 261, 295, 325, 367, 397, 445, 485,
		512, 568, 614, 664, 718, 754, 808, 871, 911, 985, 1033, 1115, 1171, 1231, 1286, 1354, 1426, 1502, 1582, 1666},
	H: {9, 16, 26, 36, 46, 60, 66, 86, 100, 122, 140, 158, 180, 197, 223, 253, 283, 313, 341, 385,
		406, 442, 464, 514, 538, 596, 628, 661, 701, 745, 793, 845, 901, 961, 986, 1054, 1096, 1142, 1222, 1276},
}

func valid(version, level int) bool {
	return version >= 1 && version <= 40 && level >= L && level <= H
}

// DataBits is the number of data bits of a version at a level, or 0 for
// a version or level out of range.
func DataBits(version, level int) int {
	if !valid(version, level) {
		return 0
	}
	return 8 * dataCodewords[level][version-1]
}

// countBits is the width of the character count for a mode.
func countBits(version int, alnum bool) int {
	switch {
	case version < 10:
		if alnum {
			return 9
		}
		return 8
	case version < 27:
		if alnum {
			return 11
		}
		return 16
	default:
		if alnum {
			return 13
		}
		return 16
	}
}

// Alphanumeric is how many alphanumeric-mode characters one segment of a
// version holds at a level.
func Alphanumeric(version, level int) int {
	bits := DataBits(version, level) - 4 - countBits(version, true)
	if bits <= 0 {
		return 0
	}
	n := bits / 11 * 2
	if bits%11 >= 6 {
		n++
	}
	return n
}

// Bytes is how many byte-mode bytes one segment of a version holds at a
// level.
func Bytes(version, level int) int {
	bits := DataBits(version, level) - 4 - countBits(version, false)
	if bits <= 0 {
		return 0
	}
	return bits / 8
}

// IsAlphanumeric reports whether s uses only the 45 characters of the
// alphanumeric mode (0-9, A-Z, space and $%*+-./:).
func IsAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9', 'A' <= c && c <= 'Z':
		case c == ' ', c == '$', c == '%', c == '*', c == '+', c == '-', c == '.', c == '/', c == ':':
		default:
			return false
		}
	}
	return true
}
