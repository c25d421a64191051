package wallet

import (
	"fmt"
	"strings"
)

// BIP380 descriptor checksum.

const (
	descInputCharset    = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
	descChecksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
)

func descPolymod(c uint64, val int) uint64 {
	c0 := c >> 35
	c = (c&0x7ffffffff)<<5 ^ uint64(val)
	if c0&1 != 0 {
		c ^= 0xf5dee51989
	}
	if c0&2 != 0 {
		c ^= 0xa9fdca3312
	}
	if c0&4 != 0 {
		c ^= 0x1bab10e32d
	}
	if c0&8 != 0 {
		c ^= 0x3706b1677a
	}
	if c0&16 != 0 {
		c ^= 0x644d626ffd
	}
	return c
}

// DescriptorChecksum computes the 8-character BIP380 checksum of a
// descriptor written without its "#checksum". A character outside the
// descriptor character set is an error naming its position.
func DescriptorChecksum(s string) (string, error) {
	c := uint64(1)
	cls, clsCount := 0, 0
	for i := 0; i < len(s); i++ {
		pos := strings.IndexByte(descInputCharset, s[i])
		if pos < 0 {
			return "", fmt.Errorf("descriptor character %d (byte 0x%02x) is not in the descriptor character set", i+1, s[i])
		}
		c = descPolymod(c, pos&31)
		cls = cls*3 + pos>>5
		clsCount++
		if clsCount == 3 {
			c = descPolymod(c, cls)
			cls, clsCount = 0, 0
		}
	}
	if clsCount > 0 {
		c = descPolymod(c, cls)
	}
	for j := 0; j < 8; j++ {
		c = descPolymod(c, 0)
	}
	c ^= 1
	var out [8]byte
	for j := 0; j < 8; j++ {
		out[j] = descChecksumCharset[(c>>(5*(7-j)))&31]
	}
	return string(out[:]), nil
}

// AddChecksum returns s followed by "#" and its checksum. s must not
// already carry one.
func AddChecksum(s string) (string, error) {
	if strings.IndexByte(s, '#') >= 0 {
		return "", fmt.Errorf("descriptor already has a '#'")
	}
	sum, err := DescriptorChecksum(s)
	if err != nil {
		return "", err
	}
	return s + "#" + sum, nil
}

// SplitChecksum separates "SCRIPT#CHECKSUM" into the script and the
// checksum, verifying the checksum. A descriptor without '#' is returned
// with has false; one with an empty, malformed or wrong checksum is an
// error (wrong ones wrap ErrChecksum).
func SplitChecksum(s string) (body string, has bool, err error) {
	i := strings.IndexByte(s, '#')
	if i < 0 {
		return s, false, nil
	}
	body, sum := s[:i], s[i+1:]
	if strings.IndexByte(sum, '#') >= 0 {
		return "", false, fmt.Errorf("descriptor has more than one '#'")
	}
	if len(sum) != 8 {
		return "", false, fmt.Errorf("descriptor checksum after '#' has %d characters, not 8", len(sum))
	}
	for j := 0; j < len(sum); j++ {
		if strings.IndexByte(descChecksumCharset, sum[j]) < 0 {
			return "", false, fmt.Errorf("%w: checksum character %d is not a checksum character", ErrChecksum, j+1)
		}
	}
	want, err := DescriptorChecksum(body)
	if err != nil {
		return "", false, err
	}
	if want != sum {
		return "", false, fmt.Errorf("%w: checksum %s does not match the descriptor (a mistyped character?)", ErrChecksum, sum)
	}
	return body, true, nil
}

// VerifyChecksum checks a "SCRIPT#CHECKSUM" descriptor's checksum; a
// descriptor without one fails with ErrMissingChecksum.
func VerifyChecksum(s string) error {
	_, has, err := SplitChecksum(s)
	if err != nil {
		return err
	}
	if !has {
		return ErrMissingChecksum
	}
	return nil
}
