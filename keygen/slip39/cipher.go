package slip39

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// The master secret is encrypted with a four-round Feistel network whose
// round function is PBKDF2-HMAC-SHA256 (SLIP-39 "Encryption of the master
// secret").

const (
	feistelRounds   = 4
	baseIterations  = 2500 // per round; the total is 10000·2^e
	maxIterationExp = 15
)

// pbkdf2SHA256 is PBKDF2 (RFC 8018) with HMAC-SHA256. It is written here
// rather than taken from crypto/pbkdf2 because that package (and
// golang.org/x/crypto/pbkdf2, which wraps it) takes the password as a
// string, and the password here is the passphrase, which must stay in a
// []byte that can be wiped. A test checks it against crypto/pbkdf2.
func pbkdf2SHA256(password, salt []byte, iterations, keyLen int) []byte {
	prf := hmac.New(sha256.New, password)
	size := prf.Size()
	out := make([]byte, 0, (keyLen+size-1)/size*size)
	u := make([]byte, 0, size)
	t := make([]byte, size)
	var ctr [4]byte
	for block := uint32(1); len(out) < keyLen; block++ {
		binary.BigEndian.PutUint32(ctr[:], block)
		prf.Reset()
		prf.Write(salt)
		prf.Write(ctr[:])
		u = prf.Sum(u[:0])
		copy(t, u)
		for range iterations - 1 {
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			for k := range t {
				t[k] ^= u[k]
			}
		}
		out = append(out, t...)
	}
	wipe(u[:cap(u)])
	wipe(t)
	res := out[:keyLen]
	wipe(out[keyLen:cap(out)])
	return res
}

// roundKey computes F(i, R) = PBKDF2(i || passphrase, salt || R, 2500<<e, len(R)).
func roundKey(round byte, passphrase, saltPrefix, r []byte, exp int) []byte {
	password := make([]byte, 0, 1+len(passphrase))
	password = append(password, round)
	password = append(password, passphrase...)
	salt := make([]byte, 0, len(saltPrefix)+len(r))
	salt = append(salt, saltPrefix...)
	salt = append(salt, r...)
	f := pbkdf2SHA256(password, salt, baseIterations<<exp, len(r))
	wipe(password)
	wipe(salt)
	return f
}

// saltPrefix is "shamir" || id (big-endian) when the extendable flag is
// clear, and empty when it is set.
func saltPrefix(id uint16, extendable bool) []byte {
	if extendable {
		return nil
	}
	return binary.BigEndian.AppendUint16([]byte(customization), id)
}

// feistel runs the four rounds in the given order over a copy of in.
// Encryption uses rounds 0,1,2,3 and decryption 3,2,1,0; both end by
// swapping the halves.
func feistel(in, passphrase []byte, exp int, id uint16, extendable bool, decrypt bool) []byte {
	half := len(in) / 2
	buf := make([]byte, len(in))
	copy(buf, in)
	l, r := buf[:half], buf[half:]
	salt := saltPrefix(id, extendable)
	for k := range feistelRounds {
		round := byte(k)
		if decrypt {
			round = byte(feistelRounds - 1 - k)
		}
		f := roundKey(round, passphrase, salt, r, exp)
		for j := range l {
			l[j] ^= f[j]
		}
		wipe(f)
		l, r = r, l
	}
	// After the loop (L, R) are in l and r; the output is R || L.
	out := make([]byte, 0, len(in))
	out = append(out, r...)
	out = append(out, l...)
	wipe(buf)
	return out
}

func encrypt(ms, passphrase []byte, exp int, id uint16, extendable bool) []byte {
	return feistel(ms, passphrase, exp, id, extendable, false)
}

func decrypt(ems, passphrase []byte, exp int, id uint16, extendable bool) []byte {
	return feistel(ems, passphrase, exp, id, extendable, true)
}

// wipe overwrites b with zeros.
func wipe(b []byte) {
	clear(b)
}
