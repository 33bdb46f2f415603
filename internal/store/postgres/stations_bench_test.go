package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
	"loginshell/internal/store/postgres/pgtest"
	"loginshell/internal/store/storetest"
)

// BenchmarkStations is the plant under load: 20 and 200 stations (engines,
// each on a handle of its own) on one database, 1,000 two-slot requests per
// iteration queued at random stations, their slots triggered and signed at
// random stations — one in ten rejected, one slot in seven raced by two
// stations at once, a third of the requests with both slots signed at the
// same moment. It fails on a lost, doubled or contradictory outcome at the
// queuing station, or a broken audit chain, and reports signatures per
// second (counted ones) and the p50/p99 from the settling Answer's start
// to the outcome at the queuing station's page, and the CPU a signature
// cost the database server and the stations.
//
//	go test -run '^$' -bench Stations/stations=200 -benchtime 1x ./internal/store/postgres
func BenchmarkStations(b *testing.B) {
	for _, n := range []int{20, 200} {
		b.Run(fmt.Sprintf("stations=%d", n), func(b *testing.B) { benchStations(b, n) })
	}
}

func benchStations(b *testing.B, stations int) {
	const requests, workers = 1000, 40
	names := make([]string, stations)
	for i := range names {
		names[i] = fmt.Sprintf("ST-%03d", i+1)
	}
	dsn := pgtest.DB(b)
	// A plant's setting: each station pools at most plantPoolConns
	// connections for statements, besides the one it listens on.
	sts := plant(b, fmt.Sprintf("%s pool_max_conns=%d", dsn, plantPoolConns), names...)
	ctx := context.Background()
	peak := sampleConnections(b, dsn)

	// Each station's page hears its own requests' outcomes.
	type heard struct {
		kind string
		at   time.Time
	}
	var mu sync.Mutex
	got := map[uuid.UUID][]heard{}
	// Only the station that queued a request counts: the station where
	// the last signer signed also tells its own page (the one whose
	// trigger opened the dialog), which is a different page.
	for _, st := range sts {
		ch, cancel := st.engine.Subscribe(st.session())
		b.Cleanup(cancel)
		go func() {
			for o := range ch {
				if q, ok := queuedBy.Load(o.Request); !ok || q != st {
					continue
				}
				if o.Kind == signature.OutcomeApprove || o.Kind == signature.OutcomeReject {
					mu.Lock()
					got[o.Request] = append(got[o.Request], heard{o.Kind, time.Now()})
					mu.Unlock()
				}
			}
		}()
	}

	var signatures int
	var elapsed, dbCPU, ownCPU time.Duration
	var latencies []time.Duration
	// answers are the settling Answers' own times, deliveries the times
	// from their return to the outcome at the queuing station: where a
	// latency goes, the chain's lock or the notice.
	var answers, deliveries []time.Duration
	want := map[uuid.UUID]string{} // request -> the outcome the counted signatures make
	for b.Loop() {
		type result struct {
			req      uuid.UUID
			kind     string
			settled  time.Time // the settling Answer's start
			answered time.Time // and its end
			counted  int
		}
		results := make(chan result, requests)
		jobs := make(chan int)
		db0, _ := pgtest.ServerCPU()
		own0 := storetest.ProcessCPU()
		start := time.Now()
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for n := range jobs {
					r, err := loadRequest(ctx, sts, n)
					if err != nil {
						b.Error(err)
						continue
					}
					results <- result(r)
				}
			})
		}
		for n := range requests {
			jobs <- n
		}
		close(jobs)
		wg.Wait()
		elapsed += time.Since(start)
		db1, _ := pgtest.ServerCPU()
		dbCPU, ownCPU = dbCPU+db1-db0, ownCPU+storetest.ProcessCPU()-own0
		close(results)
		settled := map[uuid.UUID]time.Time{}
		answered := map[uuid.UUID]time.Time{}
		for r := range results {
			want[r.req], settled[r.req], answered[r.req] = r.kind, r.settled, r.answered
			signatures += r.counted
			answers = append(answers, r.answered.Sub(r.settled))
		}

		// Every outcome reaches its page (within 30 s), and no second one
		// follows (within a further second).
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			missing := 0
			for id := range settled {
				if len(got[id]) == 0 {
					missing++
				}
			}
			mu.Unlock()
			if missing == 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Second)
		mu.Lock()
		var lost, doubled, contradictory []string
		for id, at := range settled {
			h := got[id]
			switch {
			case len(h) == 0:
				lost = append(lost, id.String())
			case len(h) > 1:
				doubled = append(doubled, fmt.Sprintf("%s (%d×)", id, len(h)))
				latencies = append(latencies, h[0].at.Sub(at)) // the first still measures delivery
				deliveries = append(deliveries, h[0].at.Sub(answered[id]))
			case h[0].kind != want[id]:
				contradictory = append(contradictory, fmt.Sprintf("%s (heard %s, signed %s)", id, h[0].kind, want[id]))
			default:
				latencies = append(latencies, h[0].at.Sub(at))
				deliveries = append(deliveries, h[0].at.Sub(answered[id]))
			}
		}
		mu.Unlock()
		for what, ids := range map[string][]string{"lost": lost, "doubled": doubled, "contradictory": contradictory} {
			if len(ids) > 0 {
				b.Errorf("%d of %d outcomes %s at the queuing station, e.g. %v", len(ids), len(settled), what, ids[:min(3, len(ids))])
			}
		}
	}

	// The store agrees with the outcomes, and the trail with the store.
	for id, kind := range want {
		_, r, err := sts[0].store.Slot(ctx, mustSlot(b, sts[0], id))
		if err != nil {
			b.Fatal(err)
		}
		if string(r.State) != map[string]string{signature.OutcomeApprove: "approved", signature.OutcomeReject: "rejected"}[kind] {
			b.Errorf("request %s is %s in the store, its outcome was %s", id, r.State, kind)
		}
	}
	approvals := map[string]int{}
	if err := sts[0].store.AuditEntries(ctx, func(e audit.Entry) error {
		if e.Event == audit.EventApprove && e.Slot == "" {
			approvals[e.Request]++
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	for id, kind := range want {
		if n := approvals[id.String()]; (kind == signature.OutcomeApprove) != (n == 1) || n > 1 {
			b.Errorf("request %s (%s) has %d request-approved entries in the trail", id, kind, n)
		}
	}
	verifyTrail(b, sts[0].store)

	slices.Sort(latencies)
	if len(latencies) > 0 {
		b.Logf("%d stations: %d signatures in %v: %.0f signatures/s; settling Answer to the queuing station's outcome: p50 %v, p99 %v, max %v; at most %d connections",
			stations, signatures, elapsed.Round(time.Millisecond), float64(signatures)/elapsed.Seconds(),
			latencies[len(latencies)/2], latencies[len(latencies)*99/100], latencies[len(latencies)-1], peak())
		b.ReportMetric(float64(signatures)/elapsed.Seconds(), "signatures/s")
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(latencies[len(latencies)-1].Microseconds())/1000, "max-ms")
		slices.Sort(answers)
		slices.Sort(deliveries)
		b.Logf("of which the settling Answer itself: p50 %v, p99 %v; from its return to the outcome at the queuing station: p50 %v, p99 %v",
			answers[len(answers)/2], answers[len(answers)*99/100], deliveries[len(deliveries)/2], deliveries[len(deliveries)*99/100])
		b.ReportMetric(float64(answers[len(answers)*99/100].Microseconds())/1000, "answer-p99-ms")
		b.ReportMetric(float64(deliveries[len(deliveries)*99/100].Microseconds())/1000, "delivery-p99-ms")
	}
	b.ReportMetric(float64(peak()), "peak-conns")
	if signatures > 0 {
		// What a signature costs the machine: the database server (0 when
		// it is not the test's own) and the stations' engines.
		b.ReportMetric(float64(dbCPU.Microseconds())/1000/float64(signatures), "db-cpu-ms/sig")
		b.ReportMetric(float64(ownCPU.Microseconds())/1000/float64(signatures), "stations-cpu-ms/sig")
	}
}

// plantPoolConns is the stations' pool_max_conns in the benchmark: a
// station runs one signature at a time, a page's reads beside it.
const plantPoolConns = 2

// sampleConnections counts the connections to dsn's database every 100
// ms until b ends; peak returns the most seen (not counting its own).
func sampleConnections(b *testing.B, dsn string) (peak func() int) {
	ctx, stop := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	var most atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			var n int64
			if conn.QueryRow(ctx, `SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()`).Scan(&n) == nil && n > most.Load() {
				most.Store(n)
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	b.Cleanup(func() { stop(); <-done; conn.Close(context.Background()) })
	return func() int { return int(most.Load()) }
}

// slotOf remembers a slot of each request for the final check.
var slotOf sync.Map // request -> slot

// queuedBy remembers the station that queued each request.
var queuedBy sync.Map // request -> *station

func mustSlot(tb testing.TB, _ *station, req uuid.UUID) uuid.UUID {
	v, ok := slotOf.Load(req)
	if !ok {
		tb.Fatalf("no slot known for request %s", req)
	}
	return v.(uuid.UUID)
}

// loadRequest queues request n at a random station and signs it to its
// end; it returns the outcome the counted signatures make, when the
// Answer that settled it began, and how many signatures counted.
func loadRequest(ctx context.Context, sts []*station, n int) (struct {
	req      uuid.UUID
	kind     string
	settled  time.Time
	answered time.Time
	counted  int
}, error) {
	var res struct {
		req      uuid.UUID
		kind     string
		settled  time.Time
		answered time.Time
		counted  int
	}
	pick := func() *station { return sts[rand.IntN(len(sts))] }
	q := pick()
	ids, err := q.engine.Queue(ctx, signature.Queuing{Template: release.Name, Name: fmt.Sprintf("load %d", n), Session: q.session()})
	if err != nil {
		return res, fmt.Errorf("queue: %w", err)
	}
	_, r, err := q.store.Slot(ctx, ids[0])
	if err != nil {
		return res, err
	}
	res.req = r.ID
	slotOf.Store(r.ID, ids[0])
	queuedBy.Store(r.ID, q)
	signers := [][]string{{"olga", "otto"}, {"sam", "sue"}}

	// attempt is one station's signature of a slot: triggered, then
	// answered when go is closed.
	type attempt struct {
		st      *station
		c       signature.Challenge
		user    string
		started time.Time
		ended   time.Time
		out     signature.Outcome
		err     error
	}
	prepare := func(slot int, user string) (*attempt, error) {
		st := pick()
		c, err := st.trigger(ctx, ids[slot], rand.IntN(10) != 0)
		if errors.Is(err, signature.ErrNoChallenge) {
			return nil, nil // the request was settled meanwhile (rejected)
		}
		if err != nil {
			return nil, fmt.Errorf("trigger: %w", err)
		}
		return &attempt{st: st, c: c, user: user}, nil
	}
	answer := func(as []*attempt) error {
		var wg sync.WaitGroup
		for _, a := range as {
			wg.Go(func() {
				a.started = time.Now()
				a.out, a.err = a.st.engine.Answer(ctx, a.c.ID, a.user, "pw-"+a.user, "")
				a.ended = time.Now()
			})
		}
		wg.Wait()
		for _, a := range as {
			switch {
			case a.err == nil:
				res.counted++
				if a.out.Kind == signature.OutcomeApprove || a.out.Kind == signature.OutcomeReject {
					if res.kind != "" {
						return fmt.Errorf("request %s: two Answers settled it (%s, %s)", res.req, res.kind, a.out.Kind)
					}
					res.kind, res.settled, res.answered = a.out.Kind, a.started, a.ended
				}
			case errors.Is(a.err, signature.ErrSlotTaken), errors.Is(a.err, signature.ErrNoRequest):
				// Lost the race: the slot was signed, or the request
				// rejected, by another station first.
			default:
				return fmt.Errorf("answer at %s: %w", a.st.name, a.err)
			}
		}
		return nil
	}

	var rounds [][]*attempt
	order := []int{0, 1}
	if rand.IntN(2) == 0 {
		order = []int{1, 0}
	}
	together := rand.IntN(3) == 0 // both slots signed at the same moment
	var round []*attempt
	for _, slot := range order {
		var as []*attempt
		users := signers[slot]
		a, err := prepare(slot, users[0])
		if err != nil {
			return res, err
		}
		if a != nil {
			as = append(as, a)
		}
		if rand.IntN(7) == 0 { // a second station races for the slot
			a, err := prepare(slot, users[1])
			if err != nil {
				return res, err
			}
			if a != nil {
				as = append(as, a)
			}
		}
		if together {
			round = append(round, as...)
			continue
		}
		if err := answer(as); err != nil {
			return res, err
		}
		if res.kind != "" {
			break
		}
	}
	if together {
		rounds = append(rounds, round)
	}
	for _, as := range rounds {
		if err := answer(as); err != nil {
			return res, err
		}
	}
	if res.kind == "" {
		return res, fmt.Errorf("request %s: not settled after both slots were signed", res.req)
	}
	return res, nil
}
