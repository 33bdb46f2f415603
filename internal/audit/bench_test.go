package audit

import "testing"

func BenchmarkSeal(b *testing.B) {
	prev := chain(1)[0]
	e := sample(5)
	for b.Loop() {
		_ = Seal(&prev, e)
	}
}

func BenchmarkVerify100k(b *testing.B) {
	const n = 100_000
	trail := chain(n)
	for b.Loop() {
		if err := Verify(all(trail)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// BenchmarkCheckTrail100k is a trail of 100,000 entries written in
// transactions of 4 by two stations: 25,000 checkpoints to verify.
func BenchmarkCheckTrail100k(b *testing.B) {
	const n = 100_000
	p := newPlant()
	for i := range n / 4 {
		p.tx([]string{"ST-1", "ST-2"}[i%2], 4)
	}
	expect := Expect{Pins: p.pins()}
	for b.Loop() {
		if r, err := CheckTrail(p.trail(), expect); err != nil || len(r.Problems) > 0 {
			b.Fatal(err, r.Problems)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}
