# Map entropy hex to BIP39 English words, straight from the BIP39 text:
# entropy bits, then the first ENT/32 bits of SHA-256(entropy), in 11-bit groups.
import hashlib, sys
words = open(sys.argv[1]).read().split()
assert len(words) == 2048
ent = bytes.fromhex(sys.argv[2])
bits = ''.join(f'{b:08b}' for b in ent)
bits += ''.join(f'{b:08b}' for b in hashlib.sha256(ent).digest())[:len(ent)*8//32]
print(' '.join(words[int(bits[i:i+11], 2)] for i in range(0, len(bits), 11)))
