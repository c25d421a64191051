package qr

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/coffer-custody/coffer/qr/ur"
)

const benchSize = 100_000

func benchPayload() []byte { return randomBytes(rand.New(rand.NewPCG(100, 1)), benchSize) }

// BenchmarkEncodeURText encodes a 100 kB payload as ur:crypto-psbt frame
// texts at the default density.
func BenchmarkEncodeURText(b *testing.B) {
	data := benchPayload()
	b.SetBytes(benchSize)
	for i := 0; i < b.N; i++ {
		texts, err := TextFrames(data, FrameOptions{URType: ur.TypeCryptoPSBT})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(texts)), "frames")
	}
}

// BenchmarkEncodeURFrames goes on to QR codes, each decoded back and
// checked (the cost of showing a 100 kB PSBT).
func BenchmarkEncodeURFrames(b *testing.B) {
	data := benchPayload()
	b.SetBytes(benchSize)
	for i := 0; i < b.N; i++ {
		codes, err := Frames(data, FrameOptions{URType: ur.TypeCryptoPSBT})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(codes)), "frames")
		b.ReportMetric(float64(codes[0].Version()), "version")
	}
}

// BenchmarkDecodeURFrames collects the frame texts of a 100 kB payload,
// 30% of them lost.
func BenchmarkDecodeURFrames(b *testing.B) {
	data := benchPayload()
	texts, err := TextFrames(data, FrameOptions{URType: ur.TypeCryptoPSBT, Parts: 2000})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var kept [][]byte
	for _, t := range texts {
		if rng.Float64() >= 0.3 {
			kept = append(kept, []byte(t))
		}
	}
	b.SetBytes(benchSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := NewCollector(Limits{})
		for _, t := range kept {
			if err := c.Add(t); err != nil {
				b.Fatal(err)
			}
			if c.Complete() {
				break
			}
		}
		p, err := c.Result()
		if err != nil || !bytes.Equal(p.Data, data) {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanFrame reads one PNG frame back with ScanImage: a frame at
// the default UR density, and a version 40 one.
func BenchmarkScanFrame(b *testing.B) {
	data := benchPayload()
	for _, c := range []struct {
		name string
		opt  FrameOptions
	}{
		{"default", FrameOptions{}},
		{"version40", FrameOptions{Version: 40}},
	} {
		b.Run(c.name, func(b *testing.B) {
			texts, err := TextFrames(data, c.opt)
			if err != nil {
				b.Fatal(err)
			}
			codes, err := EncodeSeries(texts[:1], c.opt.Version, c.opt.Level)
			if err != nil {
				b.Fatal(err)
			}
			var png bytes.Buffer
			if err := codes[0].WritePNG(&png, 4); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(codes[0].Version()), "version")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				found, err := ScanImage(bytes.NewReader(png.Bytes()), ImageLimits{})
				if err != nil || len(found) != 1 {
					b.Fatal(err)
				}
			}
		})
	}
}
