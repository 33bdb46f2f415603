package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/signature"
)

// offeredShares are the loads BenchmarkStations offers after its
// saturation run, as shares of the capacity that run measured; each
// offers offeredRequests requests.
var offeredShares = []float64{0.25, 0.50, 0.75}

const offeredRequests = 250

// offered runs the plant open loop: requests arrive at random stations
// as a Poisson process (exponential gaps, a fixed seed per share) at
// share × capacity signatures per second — perRequest signatures make a
// request — each signed to its end by a goroutine of its own, whether or
// not the ones before have ended. It checks and reports the outcomes as
// the saturation run does.
func offered(b *testing.B, ctx context.Context, sts []*station, h *hearing, want map[uuid.UUID]string, share, capacity, perRequest float64) {
	rate := share * capacity / perRequest // requests a second
	rng := rand.New(rand.NewPCG(uint64(share*100), 24))
	results := make(chan loadResult, offeredRequests)
	var wg sync.WaitGroup
	start := time.Now()
	next := start
	for i := range offeredRequests {
		time.Sleep(time.Until(next))
		wg.Go(func() {
			r, err := loadRequest(ctx, sts, 1_000_000*int(share*100)+i)
			if err != nil {
				b.Error(err)
				return
			}
			results <- r
		})
		next = next.Add(time.Duration(rng.ExpFloat64() / rate * float64(time.Second)))
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(results)
	var rs []loadResult
	signatures := 0
	for r := range results {
		rs = append(rs, r)
		signatures += r.counted
	}
	var lat latencies
	lat.add(h.collect(b, rs, want))
	if len(lat.total) == 0 {
		return
	}
	lat.sort()
	pct := fmt.Sprintf("%.0f%%", share*100)
	b.Logf("offered %s of capacity (%.1f signatures/s, %.2f requests/s, Poisson arrivals): %d requests, %d signatures in %v (%.1f signatures/s); settling Answer to the queuing station's outcome: p50 %v, p99 %v, max %v; the Answer itself p99 %v, delivery p99 %v",
		pct, share*capacity, rate, len(rs), signatures, elapsed.Round(time.Millisecond), float64(signatures)/elapsed.Seconds(),
		p50(lat.total), p99(lat.total), lat.total[len(lat.total)-1], p99(lat.answers), p99(lat.deliveries))
	b.ReportMetric(ms(p50(lat.total)), "p50-ms@"+pct)
	b.ReportMetric(ms(p99(lat.total)), "p99-ms@"+pct)
}

// loadResult is one request signed to its end by loadRequest.
type loadResult struct {
	req      uuid.UUID
	kind     string    // the outcome the counted signatures make
	settled  time.Time // the settling Answer's start
	answered time.Time // and its end
	counted  int       // signatures that counted
}

// hearing is what the stations' pages heard: each station's page hears
// its own requests' outcomes.
type hearing struct {
	mu  sync.Mutex
	got map[uuid.UUID][]heard
}

type heard struct {
	kind string
	at   time.Time
}

// hear subscribes each station's page until b ends. Only the station that
// queued a request counts: the station where the last signer signed also
// tells its own page (the one whose trigger opened the dialog), which is
// a different page.
func hear(b *testing.B, sts []*station) *hearing {
	h := &hearing{got: map[uuid.UUID][]heard{}}
	for _, st := range sts {
		ch, cancel := st.engine.Subscribe(st.session())
		b.Cleanup(cancel)
		go func() {
			for o := range ch {
				if q, ok := queuedBy.Load(o.Request); !ok || q != st {
					continue
				}
				if o.Kind == signature.OutcomeApprove || o.Kind == signature.OutcomeReject {
					h.mu.Lock()
					h.got[o.Request] = append(h.got[o.Request], heard{o.Kind, time.Now()})
					h.mu.Unlock()
				}
			}
		}()
	}
	return h
}

// collect waits until every request of rs has its outcome at its queuing
// station (within 30 s) and a second more, fails b on one lost, doubled
// or contradictory, notes each request's outcome in want, and returns
// the latencies.
func (h *hearing) collect(b *testing.B, rs []loadResult, want map[uuid.UUID]string) latencies {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		h.mu.Lock()
		missing := 0
		for _, r := range rs {
			if len(h.got[r.req]) == 0 {
				missing++
			}
		}
		h.mu.Unlock()
		if missing == 0 {
			break
		}
	}
	time.Sleep(time.Second)
	h.mu.Lock()
	defer h.mu.Unlock()
	var lat latencies
	var lost, doubled, contradictory []string
	for _, r := range rs {
		want[r.req] = r.kind
		lat.answers = append(lat.answers, r.answered.Sub(r.settled))
		heard := h.got[r.req]
		switch {
		case len(heard) == 0:
			lost = append(lost, r.req.String())
			continue
		case len(heard) > 1:
			doubled = append(doubled, fmt.Sprintf("%s (%d×)", r.req, len(heard))) // the first still measures delivery
		case heard[0].kind != r.kind:
			contradictory = append(contradictory, fmt.Sprintf("%s (heard %s, signed %s)", r.req, heard[0].kind, r.kind))
			continue
		}
		lat.total = append(lat.total, heard[0].at.Sub(r.settled))
		lat.deliveries = append(lat.deliveries, heard[0].at.Sub(r.answered))
	}
	for what, ids := range map[string][]string{"lost": lost, "doubled": doubled, "contradictory": contradictory} {
		if len(ids) > 0 {
			b.Errorf("%d of %d outcomes %s at the queuing station, e.g. %v", len(ids), len(rs), what, ids[:min(3, len(ids))])
		}
	}
	return lat
}

// latencies are a run's: total from the settling Answer's start to the
// outcome at the queuing station; answers the settling Answers' own
// times, deliveries the times from their return to that outcome — where
// a latency goes, the chain's lock or the notice.
type latencies struct{ total, answers, deliveries []time.Duration }

func (l *latencies) add(m latencies) {
	l.total = append(l.total, m.total...)
	l.answers = append(l.answers, m.answers...)
	l.deliveries = append(l.deliveries, m.deliveries...)
}

func (l *latencies) sort() {
	slices.Sort(l.total)
	slices.Sort(l.answers)
	slices.Sort(l.deliveries)
}

// p50 and p99 of sorted ds.
func p50(ds []time.Duration) time.Duration { return ds[len(ds)/2] }
func p99(ds []time.Duration) time.Duration { return ds[len(ds)*99/100] }

// ms is d in milliseconds, for b.ReportMetric.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
