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
