package fountain

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPartsNeeded measures how many parts the decoder needs when 30%
// of the parts sent are lost, against the minimum (seqLen). It reports
// "received/min", the parts received until the message was rebuilt
// divided by seqLen (target: at most 1.2 on average), and "sent/min", the
// parts the sender had to show (the loss alone makes that at least 1/0.7).
func BenchmarkPartsNeeded(b *testing.B) {
	for _, seqLen := range []int{10, 100, 500} {
		b.Run(fmt.Sprintf("seqLen=%d", seqLen), func(b *testing.B) {
			const fragLen = 200
			const trials = 10
			var received, sent, min int
			rng := rand.New(rand.NewPCG(uint64(seqLen), 30))
			for i := 0; i < b.N; i++ {
				for trial := 0; trial < trials; trial++ {
					msg := make([]byte, seqLen*fragLen)
					for j := range msg {
						msg[j] = byte(rng.Uint32())
					}
					e, err := NewEncoder(msg, DefaultMinFragmentLen, fragLen, 0)
					if err != nil || e.SeqLen() != seqLen {
						b.Fatalf("seqLen %d, %v", e.SeqLen(), err)
					}
					d := NewDecoder(Limits{})
					for !d.Complete() {
						p := e.NextPart()
						sent++
						if rng.Float64() < 0.3 {
							continue
						}
						received++
						if _, err := d.Receive(p); err != nil {
							b.Fatal(err)
						}
					}
					min += seqLen
				}
			}
			b.ReportMetric(float64(received)/float64(min), "received/min")
			b.ReportMetric(float64(sent)/float64(min), "sent/min")
		})
	}
}
