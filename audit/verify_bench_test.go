//go:build unix

package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// benchJournalEnv sets the number of entries BenchmarkVerify generates;
// COFFER_BENCH_JOURNAL=1000000 runs the full size of issue 7's target.
const benchJournalEnv = "COFFER_BENCH_JOURNAL"

func benchEntries(b *testing.B) int {
	if s := os.Getenv(benchJournalEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q is not a positive number of entries", benchJournalEnv, s)
		}
		return n
	}
	if testing.Short() {
		return 10_000
	}
	return 100_000
}

// BenchmarkVerify verifies a generated journal of sign entries (100,000 by
// default, 10,000 with -short, COFFER_BENCH_JOURNAL to choose; the journal
// is generated in the setup, which takes about as long as one verification)
// and reports:
//
//   - ns/entry: wall time of Verify per entry;
//   - ed25519-ns/entry: wall time of ed25519.Verify alone per entry on the
//     same cores (one goroutine per CPU over a sample of the same messages,
//     measured before and after the timed loop and averaged);
//   - x-ed25519: their ratio (issue 7's target: at most 1.5);
//   - cpu-ns/entry, ed25519-cpu-ns/entry, x-ed25519-cpu: the same in CPU
//     time (user+system) of the process, which other load on the machine
//     disturbs less than wall time.
func BenchmarkVerify(b *testing.B) {
	n := benchEntries(b)
	key := testKey(b)
	pub := pubOf(key)
	path := filepath.Join(b.TempDir(), "journal.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := genJournal(f, key, n, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	sample := min(n, 20_000)
	wall1, cpu1 := ed25519Baseline(b, path, pub, sample)

	b.ReportAllocs()
	cpuStart := cpuTime(b)
	for b.Loop() {
		rep, err := VerifyFile(path, pub)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Entries != int64(n) {
			b.Fatalf("verified %d entries, want %d", rep.Entries, n)
		}
	}
	cpu := float64((cpuTime(b) - cpuStart).Nanoseconds()) / float64(b.N) / float64(n)
	wall := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n)
	wall2, cpu2 := ed25519Baseline(b, path, pub, sample)
	baseWall, baseCPU := (wall1+wall2)/2, (cpu1+cpu2)/2
	b.ReportMetric(wall, "ns/entry")
	b.ReportMetric(baseWall, "ed25519-ns/entry")
	b.ReportMetric(wall/baseWall, "x-ed25519")
	b.ReportMetric(cpu, "cpu-ns/entry")
	b.ReportMetric(baseCPU, "ed25519-cpu-ns/entry")
	b.ReportMetric(cpu/baseCPU, "x-ed25519-cpu")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ed25519Baseline returns the wall and CPU time per signature of
// ed25519.Verify alone over the first sample entries of the journal, spread
// over one goroutine per CPU.
func ed25519Baseline(b *testing.B, path string, pub ed25519.PublicKey, sample int) (wall, cpu float64) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	type signed struct {
		msg []byte
		sig [64]byte
	}
	items := make([]signed, 0, sample)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, MaxLineLen+1)
	var scratch bytes.Buffer
	for len(items) < sample && sc.Scan() {
		l, err := parseLine(sc.Bytes(), &scratch)
		if err != nil {
			b.Fatal(err)
		}
		items = append(items, signed{appendMessage(nil, sc.Bytes(), l.bodyEnd), l.sig})
	}
	workers := runtime.GOMAXPROCS(0)
	start, cpuStart := time.Now(), cpuTime(b)
	var wg sync.WaitGroup
	var bad atomic.Bool
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(items); i += workers {
				if !ed25519.Verify(pub, items[i].msg, items[i].sig[:]) {
					bad.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	if bad.Load() {
		b.Fatal("a baseline signature does not verify")
	}
	wall = float64(time.Since(start).Nanoseconds()) / float64(len(items))
	cpu = float64((cpuTime(b) - cpuStart).Nanoseconds()) / float64(len(items))
	return wall, cpu
}
