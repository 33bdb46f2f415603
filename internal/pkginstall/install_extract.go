package pkginstall

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// job is an accepted entry of the package's content and its path in the
// package.
type job struct {
	a   accepted
	rel string
}

// stream hands one entry to emit, its content through m, which measures
// what is actually decompressed and stops at the first limit crossed. It
// returns the bytes m read, the problem the entry has, if any, and
// otherwise emit's error (the disk's, or m's when it stopped the entry
// without blaming it: errStopped).
func stream(j job, emit emitFunc, buf []byte, m *measured) (int64, *PackageError, error) {
	a := j.a
	if a.dir {
		err := emit(j.rel, true, bytes.NewReader(nil), buf)
		if nameTooLongOnDisk(err) {
			return 0, &PackageError{Entry: a.name, Rule: RuleNameTooLong, Detail: diskNameTooLong}, nil
		}
		return 0, nil, err
	}
	rc, err := a.open()
	if err != nil {
		return 0, &PackageError{Entry: a.name, Rule: RuleCorrupt, Detail: "the entry cannot be opened: " + err.Error()}, nil
	}
	defer rc.Close()
	m.r, m.e = rc, a.entry
	err = emit(j.rel, false, m, buf)
	if err == nil {
		_, err = io.Copy(io.Discard, m)
	}
	var perr *PackageError
	switch {
	case err == nil:
		return m.n, nil, nil
	case errors.As(err, &perr):
		return m.n, perr, nil
	case nameTooLongOnDisk(err):
		return m.n, &PackageError{Entry: a.name, Rule: RuleNameTooLong, Detail: diskNameTooLong}, nil
	case m.readErr != nil: // the archive, not the disk
		return m.n, &PackageError{Entry: a.name, Rule: RuleCorrupt, Detail: "the entry cannot be decompressed: " + m.readErr.Error()}, nil
	}
	return m.n, nil, err
}

// diskNameTooLong is the detail of a name the rules let through but this
// computer's file system refused as too long.
const diskNameTooLong = "the name is too long for the file system of this computer; use shorter names and fewer nested folders"

// measured counts the bytes an entry really expands to.
type measured struct {
	r       io.Reader
	e       entry
	n       int64
	readErr error
	// count adds a read's bytes to the package's and says which limit,
	// if any, they crossed: walker.count reading one entry at a time,
	// extractAll's pool when several are.
	count func(m *measured, n int) error
}

func (m *measured) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	if lerr := m.count(m, n); lerr != nil {
		return n, lerr
	}
	if err != nil && err != io.EOF {
		m.readErr = err
	}
	return n, err
}

// count is measured's count for a walk that reads one entry at a time:
// the limits, then the progress.
func (w *walker) count(m *measured, n int) error {
	w.done += int64(n)
	if p := w.limits(m, w.done); p != nil {
		return p
	}
	if o := w.opts; o.Progress != nil && w.done >= w.nextTick {
		total := max(w.total, w.done)
		o.Progress(w.done, total)
		w.nextTick = w.done + tickStep(total)
	}
	return nil
}

// tickStep is how far the bytes written move between two reports of the
// progress: 1% of the total, at most 1 MiB.
func tickStep(total int64) int64 { return max(min(total/100, 1<<20), 1) }

// limits is the rule an entry breaks once m has read m.n of its bytes and
// the package's entries, read one after another up to there, expand to
// done: nil if none.
func (w *walker) limits(m *measured, done int64) *PackageError {
	o := w.opts
	switch {
	case done > o.MaxTotalBytes:
		return &PackageError{Entry: m.e.name, Rule: RuleTooLarge, Detail: fmt.Sprintf("the package expands to more than the limit of %d bytes", o.MaxTotalBytes)}
	case w.entryBomb(m):
		return w.bomb(m)
	case w.packed >= 0 && done > ratioFloor && done > int64(o.MaxRatio)*max(w.packed, 1):
		if m.n > int64(o.MaxRatio)*max(m.e.compressed, 1) { // this entry is the culprit: name it
			return w.bomb(m)
		}
		return &PackageError{Rule: RuleCompression, Detail: fmt.Sprintf("the package expands more than %d times its %d stored bytes; this looks like a zip bomb", o.MaxRatio, w.packed)}
	}
	return nil
}

// entryBomb is the zip bomb rule of one entry: it alone expands too much.
func (w *walker) entryBomb(m *measured) bool {
	return m.e.compressed >= 0 && m.n > ratioFloor && m.n > int64(w.opts.MaxRatio)*max(m.e.compressed, 1)
}

func (w *walker) bomb(m *measured) *PackageError {
	return &PackageError{Entry: m.e.name, Rule: RuleCompression, Detail: fmt.Sprintf("the entry expands more than %d times (%d bytes stored); this looks like a zip bomb", w.opts.MaxRatio, m.e.compressed)}
}

// wideLimit is the most bytes the package's entries may expand to
// together before a package-wide rule breaks (MaxTotalBytes, or the zip
// bomb rule over the whole package): limits finds no such problem while
// done is at most wideLimit.
func (w *walker) wideLimit() int64 {
	limit := w.opts.MaxTotalBytes
	if w.packed >= 0 {
		limit = min(limit, max(ratioFloor, int64(w.opts.MaxRatio)*max(w.packed, 1)))
	}
	return limit
}

// errStopped ends an entry the pool stops without blaming it: an entry
// before it failed, or the package passed its wideLimit.
var errStopped = errors.New("the extraction was stopped")

// pool extracts the entries of one install with several goroutines, and
// still names the problem the extraction of one entry after another would
// have named: the first in the package's order.
//
// The limits hold over all the workers together. Each adds a read's bytes
// to the shared done before it checks the limits, and stops at the first
// read that finds done past wideLimit; so the files written hold at most
// wideLimit plus one read per worker (at most half an extractBuffer, the
// read that crossed the limit or found it crossed), as one entry at a
// time writes wideLimit plus one read.
type pool struct {
	w     *walker
	jobs  []job
	limit int64         // wideLimit
	next  atomic.Int64  // the next job to start; they start in order
	done  atomic.Int64  // bytes read by all workers, and webapp.json's before them
	low   atomic.Int64  // the first job that failed; len(jobs) while none has
	tick  atomic.Int64  // done at which to wake the progress reporter
	wake  chan struct{} // holds one wake-up; the workers never wait on it
	out   []outcome     // by job, each written by the worker that ran it
}

// outcome is what extracting one job came to (stream's results).
type outcome struct {
	started bool
	n       int64
	problem *PackageError
	err     error
}

func (o outcome) ok() bool { return o.started && o.problem == nil && o.err == nil }

// extractAll extracts jobs with up to GOMAXPROCS goroutines, at least two
// (decompression is most of an install, and runs on one core per entry),
// each with its own buffer, first being the walk's. It records the problem
// the extraction of one entry after another would have met first, if any;
// its error is the disk's.
func (w *walker) extractAll(jobs []job, emit emitFunc, first []byte) error {
	p := &pool{w: w, jobs: jobs, limit: w.wideLimit(), wake: make(chan struct{}, 1), out: make([]outcome, len(jobs))}
	p.done.Store(w.done)
	p.low.Store(int64(len(jobs)))
	p.tick.Store(w.nextTick)
	if w.opts.Progress == nil {
		p.tick.Store(math.MaxInt64) // no reporter to wake
	}
	var wg sync.WaitGroup
	for i := range min(max(runtime.GOMAXPROCS(0), 2), len(jobs)) {
		buf := first
		if i > 0 {
			buf = make([]byte, extractBuffer)
		}
		wg.Go(func() { p.work(emit, buf) })
	}
	p.report(&wg)
	return p.verdict(emit, first)
}

// work runs jobs, the next in order each time, until none is left or the
// pool halts.
func (p *pool) work(emit emitFunc, buf []byte) {
	for {
		i := int(p.next.Add(1) - 1)
		if i >= len(p.jobs) || p.halted(i) {
			return
		}
		m := &measured{count: func(m *measured, n int) error { return p.count(m, n, i) }}
		n, problem, err := stream(p.jobs[i], emit, buf, m)
		p.out[i] = outcome{started: true, n: n, problem: problem, err: err}
		if problem != nil || err != nil {
			for low := p.low.Load(); int64(i) < low && !p.low.CompareAndSwap(low, int64(i)); low = p.low.Load() {
			}
		}
	}
}

// halted reports whether job i must stop (or not start): a job before it
// failed, so one entry after another would never have reached it, or the
// package passed its wideLimit.
func (p *pool) halted(i int) bool {
	return int64(i) > p.low.Load() || p.done.Load() > p.limit
}

// count is measured's count for job i: an entry's own zip bomb rule is
// applied at once; the package-wide ones depend on the bytes of the
// entries before it, so passing the limit only stops everyone, and
// verdict says whose fault it was.
func (p *pool) count(m *measured, n int, i int) error {
	done := p.done.Add(int64(n))
	switch {
	case p.w.entryBomb(m):
		return p.w.bomb(m)
	case p.halted(i):
		return errStopped
	}
	if done >= p.tick.Load() {
		select {
		case p.wake <- struct{}{}:
			// The reporter waits on this core's queue while the workers
			// keep every core busy: let it run now (Progress is short),
			// or a small package reports 7 % and then 97 %.
			runtime.Gosched()
		default: // a wake-up is pending already
		}
	}
	return nil
}

// report calls Options.Progress from this goroutine, the installing one,
// when the workers wake it, until they are all done: done grows, so the
// reports do too, at least tickStep apart. The workers go on meanwhile:
// stopping them at every report cost a 100 MB install from the window
// (which reports) about a third more than one without reports.
func (p *pool) report(wg *sync.WaitGroup) {
	progress := p.w.opts.Progress
	if progress == nil {
		wg.Wait()
		return
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	// A Progress that panics leaves through here: the workers are stopped
	// and waited for first, or they would go on writing into the
	// extraction directory while Install's deferred calls remove it and
	// let go of the install lock.
	over := false
	defer func() {
		if !over {
			p.low.Store(-1) // every job is halted
			<-finished
		}
	}()
	next := p.tick.Load()
	for {
		select {
		case <-p.wake:
			if done := p.done.Load(); done >= next { // else woken before the last report
				total := max(p.w.total, done)
				progress(done, total)
				next = done + tickStep(total)
				p.tick.Store(next)
			}
		case <-finished:
			over = true
			return
		}
	}
}

// verdict goes through the outcomes in the package's order, adding up the
// bytes as one entry after another would have, to the first job that did
// not end well or passed the wideLimit. A problem the entry met before the
// bytes so far reached the limit is its own and final; a disk error is
// returned. Otherwise a package-wide rule broke at that job or after it,
// and which entry it names depends on the order of the bytes: replay.
func (p *pool) verdict(emit emitFunc, buf []byte) error {
	done := p.w.done // webapp.json's
	for k, o := range p.out {
		switch {
		case o.ok() && done+o.n <= p.limit:
			done += o.n
			continue
		case o.err != nil && !errors.Is(o.err, errStopped):
			return o.err
		case o.problem != nil && done+o.n <= p.limit:
			p.w.record(o.problem)
			return nil
		}
		return p.replay(k, done, emit, buf)
	}
	p.w.done = done
	return nil
}

// replay reads the jobs from the k-th on again, one after another, from
// done (the bytes before them), until the first problem: the one the
// extraction of one entry after another would have met. Nothing more is
// written (the pool stopped at the limit): the content is counted and
// dropped, in reads of copyAhead's size so the limits fire at the same
// reads, and a job the pool finished within the limit is only added up.
// Only a job the pool never started is created, empty, as one entry after
// another would have: this disk may refuse its name.
func (p *pool) replay(k int, done int64, emit emitFunc, buf []byte) error {
	r := &walker{opts: p.w.opts, packed: p.w.packed, done: done}
	r.opts.Progress = nil // reported by the pool already, and never backwards
	drop := func(_ string, _ bool, src io.Reader, buf []byte) error {
		for half := buf[:len(buf)/2]; ; {
			if _, err := src.Read(half); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
		}
	}
	create := func(name string, dir bool, src io.Reader, buf []byte) error {
		if err := emit(name, dir, bytes.NewReader(nil), buf); err != nil {
			return err
		}
		return drop(name, dir, src, buf)
	}
	for i := k; i < len(p.jobs); i++ {
		o := p.out[i]
		if o.ok() && r.done+o.n <= p.limit {
			r.done += o.n
			continue
		}
		send := drop
		if !o.started {
			send = create
		}
		_, problem, err := stream(p.jobs[i], send, buf, &measured{count: r.count})
		switch {
		case problem != nil:
			p.w.record(problem)
			return nil
		case err != nil:
			return err
		}
	}
	// Read again, the package came short of the limit the pool saw it
	// pass: it changed while it was read. Name what the pool saw.
	o := p.out[k]
	if o.problem == nil {
		o.problem = p.w.limits(&measured{e: p.jobs[k].a.entry, n: o.n}, p.done.Load())
	}
	p.w.record(o.problem)
	return nil
}
