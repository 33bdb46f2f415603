package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
// each on a handle of its own) on one database, two-slot requests queued
// at random stations, their slots triggered and signed at random stations
// — one in ten rejected, one slot in seven raced by two stations at once,
// a third of the requests with both slots signed at the same moment. It
// fails on a lost, doubled or contradictory outcome at the queuing
// station, or a broken audit chain. Latency is from the settling Answer's
// start to the outcome at the queuing station's page: what the person who
// signs last, and the page that waits, wait for.
//
// It measures twice, because one figure alone misleads:
//   - Saturation (closed loop): 40 workers sign 1,000 requests as fast as
//     they can, each starting the next as soon as its last ended. Its
//     signatures/s is the plant's capacity here; its latency is mostly the
//     queue that 40 workers keep full (Little's law: latency = work in
//     flight / throughput), so it says what the plant does when overrun,
//     not what a person waits for at a plant that keeps up.
//   - Offered load (open loop): requests arrive on a schedule (Poisson
//     arrivals, seeded), each signed by its own goroutine without waiting
//     for the others, at 25, 50 and 75 % of the capacity just measured
//     (offeredRequests each); a slow signature does not slow the arrivals,
//     so queueing shows as it would at a plant.
//
// It reports, for saturation, signatures per second (counted ones), p50,
// p99 and the CPU a signature cost the database server and the stations;
// for each offered load, p50 and p99 (metrics "p50-ms@25%" and so on).
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
	h := hear(b, sts)

	var signatures int
	var elapsed, dbCPU, ownCPU time.Duration
	var lat latencies
	want := map[uuid.UUID]string{} // request -> the outcome the counted signatures make
	for b.Loop() {
		results := make(chan loadResult, requests)
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
					results <- r
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
		var rs []loadResult
		for r := range results {
			rs = append(rs, r)
			signatures += r.counted
		}
		lat.add(h.collect(b, rs, want))
	}
	if len(lat.total) > 0 {
		lat.sort()
		b.Logf("%d stations, saturation: %d signatures in %v: %.0f signatures/s; settling Answer to the queuing station's outcome: p50 %v, p99 %v, max %v; at most %d connections",
			stations, signatures, elapsed.Round(time.Millisecond), float64(signatures)/elapsed.Seconds(),
			p50(lat.total), p99(lat.total), lat.total[len(lat.total)-1], peak())
		b.Logf("of which the settling Answer itself: p50 %v, p99 %v; from its return to the outcome at the queuing station: p50 %v, p99 %v",
			p50(lat.answers), p99(lat.answers), p50(lat.deliveries), p99(lat.deliveries))
		b.ReportMetric(float64(signatures)/elapsed.Seconds(), "signatures/s")
		b.ReportMetric(ms(p50(lat.total)), "p50-ms")
		b.ReportMetric(ms(p99(lat.total)), "p99-ms")
		b.ReportMetric(ms(lat.total[len(lat.total)-1]), "max-ms")
		b.ReportMetric(ms(p99(lat.answers)), "answer-p99-ms")
		b.ReportMetric(ms(p99(lat.deliveries)), "delivery-p99-ms")
	}
	b.ReportMetric(float64(peak()), "peak-conns")
	if signatures > 0 {
		// What a signature costs the machine: the database server (0 when
		// it is not the test's own) and the stations' engines.
		b.ReportMetric(float64(dbCPU.Microseconds())/1000/float64(signatures), "db-cpu-ms/sig")
		b.ReportMetric(float64(ownCPU.Microseconds())/1000/float64(signatures), "stations-cpu-ms/sig")

		// The same plant at offered loads below its capacity.
		capacity := float64(signatures) / elapsed.Seconds()
		perRequest := float64(signatures) / float64(len(want))
		for _, share := range offeredShares {
			offered(b, ctx, sts, h, want, share, capacity, perRequest)
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
func loadRequest(ctx context.Context, sts []*station, n int) (loadResult, error) {
	var res loadResult
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
