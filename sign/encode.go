package sign

import "encoding/base64"

// Encode serializes the PSBT in the version it was decoded in (a version 2
// PSBT is written as version 2), with every field it came with, unknown
// ones included, in the order read. Fields added by Sign are placed in key
// order, so a PSBT whose maps were sorted stays sorted.
func (p *Packet) Encode() []byte {
	n := len(psbtMagic) + p.global.size()
	for _, m := range p.inputs {
		n += m.size()
	}
	for _, m := range p.outputs {
		n += m.size()
	}
	b := make([]byte, 0, n)
	b = append(b, psbtMagic...)
	b = p.global.appendTo(b)
	for _, m := range p.inputs {
		b = m.appendTo(b)
	}
	for _, m := range p.outputs {
		b = m.appendTo(b)
	}
	return b
}

// Base64 is Encode in standard base64, the form PSBTs travel in as text.
func (p *Packet) Base64() string {
	return base64.StdEncoding.EncodeToString(p.Encode())
}
