package keygen

import (
	"crypto/rand"
	"testing"
)

func BenchmarkSeed(b *testing.B) {
	m := []byte(englishVectors(b)[23].Mnemonic)
	for b.Loop() {
		Seed(m, []byte("TREZOR"))
	}
}

func BenchmarkParseMnemonic(b *testing.B) {
	m := []byte(englishVectors(b)[23].Mnemonic)
	for b.Loop() {
		if _, err := ParseMnemonic(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMnemonicSuggest(b *testing.B) {
	m := []byte("abandn abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	for b.Loop() {
		ParseMnemonic(m)
	}
}

func BenchmarkCheckRNG(b *testing.B) {
	for b.Loop() {
		if err := CheckRNG(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}
