package audit

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// run is a run of consecutive entries of one station, not yet vouched
// for by a checkpoint.
type run struct {
	station  string
	from, to int64
}

// trailCheck holds what CheckTrail knows while the rows go by.
type trailCheck struct {
	t      Trail
	expect Expect
	r      Report

	registered map[[2]string]bool // (station, key) of the registered keys
	used       map[[2]string]bool // those that signed a sound checkpoint
	stations   map[string]*StationReport

	start   int64       // the first entry's Seq, 0 before it
	end     int64       // the last entry's Seq
	last    *Checkpoint // the newest checkpoint among the entries (&newest), nil before one
	newest  Checkpoint
	pending []run // the entries since it
	past    map[string]int64

	// chains are the checkpoints of each key (by Key) as CheckTrail
	// links them: the newest one, its signature verified only when the
	// chain breaks or ends (see [Checkpoint]'s Link).
	chains map[string]*keyChain

	ownChecked    bool
	rewritten     int   // checkpoints whose hash no longer matches, after the first
	legacy        int64 // entries from before checkpoints existed
	legacyFrom    int64
	runs          []Problem // of unvouched entries
	moreUnvouched int64     // unvouched entries past maxUnvouchedRuns
	// runWhere and runTo describe the last of runs while more
	// entries may join it.
	runWhere string
	runTo    int64
}

func newTrailCheck(t Trail, expect Expect) *trailCheck {
	k := &trailCheck{t: t, expect: expect, registered: map[[2]string]bool{}, used: map[[2]string]bool{},
		stations: map[string]*StationReport{}, past: map[string]int64{}, chains: map[string]*keyChain{}}
	for _, sk := range t.Keys {
		k.registered[[2]string{sk.Station, sk.Key}] = true
	}
	k.keys()
	if own := expect.Own; own != nil && own.Store == t.Store && VerifySignature(*own) != nil {
		k.problem(ProblemBadSignature, own.Seq, own.Station, "this station's own copy of its latest checkpoint (#%d) does not verify: the file was changed", own.Seq)
		k.expect.Own = nil
	}
	return k
}

func (k *trailCheck) problem(kind string, seq int64, station, format string, args ...any) {
	k.r.Problems = append(k.r.Problems, Problem{Kind: kind, Seq: seq, Station: station, Text: safeText(fmt.Sprintf(format, args...))})
}

func (k *trailCheck) note(format string, args ...any) {
	k.r.Notes = append(k.r.Notes, safeText(fmt.Sprintf(format, args...)))
}

// safeText is s with every control or format character (a terminal
// escape, a newline, a text-direction override) shown as its Go escape:
// station names come from the store, and whoever can edit it must not be
// able to hide a line of verify's output.
func safeText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// keys checks the registered keys against the pins and the fingerprints
// given.
func (k *trailCheck) keys() {
	given := map[string]bool{}
	for _, fp := range k.expect.Fingerprints {
		given[fp] = true
	}
	for _, sk := range k.t.Keys {
		fp := Fingerprint(sk.Key)
		if _, err := ParseKey(sk.Key); err != nil {
			k.problem(ProblemKeyUnknown, 0, sk.Station, "the key registered for station %s is not an Ed25519 public key: the registry was edited", sk.Station)
		}
		sr := k.stations[sk.Station]
		if sr == nil {
			sr = &StationReport{Station: sk.Station}
			k.stations[sk.Station] = sr
		}
		sr.Fingerprints = append(sr.Fingerprints, fp)
		if pinned, ok := k.expect.Pins[sk.Station]; ok && !slices.Contains(pinned, fp) {
			what := fmt.Sprintf("the key registered for station %s changed", sk.Station)
			if k.registeredAny(sk.Station, pinned) {
				what = fmt.Sprintf("station %s has another key registered", sk.Station)
			}
			k.problem(ProblemKeyChanged, 0, sk.Station,
				"%s: its fingerprint is %s, but this station has seen only %s for %s; a key was replaced or added in the store (or %s was set up again, or another data directory uses its name: compare the fingerprint with %s's validation record, and if it is %s's run loginshell station trust %s %q)",
				what, fp, strings.Join(pinned, ", "), sk.Station, sk.Station, sk.Station, sk.Station, sk.Station, fp)
		} else if !ok && k.expect.Pins != nil {
			k.r.NewKeys = append(k.r.NewKeys, sk)
			k.note("station %s's key %s is seen here for the first time and pinned (trust on first use): compare it with %s's validation record", sk.Station, fp, sk.Station)
		}
		if len(given) > 0 && !given[fp] {
			k.problem(ProblemKeyUnknown, 0, sk.Station, "station %s's key %s is not among the fingerprints given", sk.Station, fp)
		}
	}
}

// registeredAny says whether one of the fingerprints is of a key
// registered for station.
func (k *trailCheck) registeredAny(station string, fingerprints []string) bool {
	for _, sk := range k.t.Keys {
		if sk.Station == station && slices.Contains(fingerprints, Fingerprint(sk.Key)) {
			return true
		}
	}
	return false
}

// checkpoint checks c on its own (its store, shape, key and signature)
// and counts it.
func (k *trailCheck) checkpoint(c Checkpoint) {
	k.r.Checkpoints++
	switch {
	case c.Store != k.t.Store:
		k.problem(ProblemBadSignature, c.Seq, c.Station, "station %s's checkpoint at #%d was signed for another store (%s, not %s): it was copied here", c.Station, c.Seq, c.Store, k.t.Store)
	case !(c.Prev < c.From && c.From <= c.Seq):
		k.problem(ProblemBadSignature, c.Seq, c.Station, "station %s's checkpoint at #%d does not hold together (prev %d, from %d)", c.Station, c.Seq, c.Prev, c.From)
	case !k.registered[[2]string{c.Station, c.Key}]:
		k.problem(ProblemKeyUnknown, c.Seq, c.Station, "station %s's checkpoint at #%d is signed by a key (%s) that is not registered for %s", c.Station, c.Seq, Fingerprint(c.Key), c.Station)
	case c.Link == "" && VerifySignature(c) != nil:
		k.problem(ProblemBadSignature, c.Seq, c.Station, "station %s's checkpoint at #%d does not verify under its key %s: it was changed after it was signed, or made without the key", c.Station, c.Seq, Fingerprint(c.Key))
	case c.Link != "" && !k.linked(c):
	default:
		k.used[[2]string{c.Station, c.Key}] = true
	}
	k.chain(c)
	if sr := k.stations[c.Station]; sr != nil && c.Seq > sr.Newest {
		sr.Newest = c.Seq
	}
	// Each names the one before it.
	var want int64
	if k.last != nil {
		want = k.last.Seq
	}
	switch {
	case k.last == nil && k.expect.Partial && c.Prev < k.start:
	case c.Prev == want:
	case c.Prev > want:
		k.problem(ProblemCheckpointMissing, c.Seq, c.Station,
			"station %s's checkpoint at #%d follows a checkpoint at #%d that is not there: checkpoints were removed", c.Station, c.Seq, c.Prev)
	default:
		k.problem(ProblemBadSignature, c.Seq, c.Station,
			"station %s's checkpoint at #%d names #%d as the checkpoint before it, but there is one at #%d: checkpoints were added", c.Station, c.Seq, c.Prev, want)
	}
	k.newest = c
	k.last = &k.newest // not &c: that would put every checkpoint on the heap
}

// entry holds one entry of an intact chain, and the checkpoint that ends
// at it (nil for none), against the checkpoints.
func (k *trailCheck) entry(e Entry, c *Checkpoint) {
	k.r.Entries++
	k.r.Head = e
	if k.start == 0 {
		k.start = e.Seq
	}
	k.end = e.Seq
	if n := len(k.pending); n > 0 && k.pending[n-1].station == e.Station && k.pending[n-1].to == e.Seq-1 {
		k.pending[n-1].to = e.Seq
	} else {
		k.pending = append(k.pending, run{station: e.Station, from: e.Seq, to: e.Seq})
	}
	if own := k.expect.Own; own != nil && own.Store == k.t.Store && own.Seq == e.Seq {
		k.own(e, c)
	}
	if c == nil {
		return
	}
	k.checkpoint(*c)
	if e.Hash != c.Hash {
		if k.rewritten == 0 {
			k.problem(ProblemRewritten, e.Seq, c.Station,
				"station %s signed a checkpoint at #%d for hash %s, but entry %d now has hash %s: the trail was rewritten and re-hashed up to entry %d; compare it with a backup or an export",
				c.Station, c.Seq, c.Hash, e.Seq, e.Hash, e.Seq)
		}
		k.rewritten++
	}
	// The entries since the checkpoint before are now placed: c's
	// station's from From on, found before it.
	for _, r := range k.pending {
		if r.from < c.From {
			to := min(r.to, c.From-1)
			if c.Prev == 0 {
				k.legacyRun(r.from, to)
			} else {
				k.unvouched(r.from, to, r.station, fmt.Sprintf("between the checkpoints at #%d and #%d (station %s)", c.Prev, c.Seq, c.Station))
			}
		}
		if r.to >= c.From {
			from := max(r.from, c.From)
			if r.station != c.Station {
				k.unvouched(from, r.to, r.station, fmt.Sprintf("in station %s's transaction (checkpoint #%d), but naming station %q", c.Station, c.Seq, r.station))
			} else {
				k.closeRun()
			}
		}
	}
	k.pending = k.pending[:0]
}

// orphan is a checkpoint whose Seq no entry has: past the trail's end.
func (k *trailCheck) orphan(c Checkpoint) {
	k.checkpoint(c)
	if c.Seq > k.end && c.Seq > k.past[c.Station] {
		k.past[c.Station] = c.Seq
	}
}

// own compares entry e, and the store's checkpoint c at it (nil for
// none), with this station's own copy of its latest checkpoint, which is
// at e's Seq.
func (k *trailCheck) own(e Entry, c *Checkpoint) {
	k.ownChecked = true
	own := k.expect.Own
	switch {
	case e.Hash != own.Hash:
		k.problem(ProblemRewritten, e.Seq, own.Station,
			"this station (%s) signed a checkpoint at #%d for hash %s (its own copy), but entry %d now has hash %s: the trail was rewritten and re-hashed up to entry %d",
			own.Station, own.Seq, own.Hash, e.Seq, e.Hash, e.Seq)
	case c == nil:
		k.problem(ProblemCheckpointMissing, own.Seq, own.Station,
			"this station's (%s) checkpoint at #%d, kept in its data directory, is missing from the store: checkpoints were removed", own.Station, own.Seq)
	case !sameCheckpoint(*c, *own):
		k.problem(ProblemRewritten, own.Seq, own.Station,
			"the store's checkpoint at #%d is not the one this station (%s) signed and kept: it was replaced", own.Seq, own.Station)
	}
}

// sameCheckpoint says whether a and b are one checkpoint, whichever way
// their times were read.
func sameCheckpoint(a, b Checkpoint) bool {
	t := a.Time.Equal(b.Time)
	a.Time = b.Time
	return t && a == b
}

func (k *trailCheck) legacyRun(from, to int64) {
	k.closeRun()
	if k.legacy == 0 {
		k.legacyFrom = from
	}
	k.legacy += to - from + 1
}

// unvouched adds entries from..to (the first naming station) to the run
// of unvouched entries they continue, or starts a run.
func (k *trailCheck) unvouched(from, to int64, station, where string) {
	if k.runWhere != "" && k.runTo == from-1 && k.runWhere == where {
		k.runTo = to
		return
	}
	k.closeRun()
	if len(k.runs) >= maxUnvouchedRuns {
		k.moreUnvouched += to - from + 1
		return
	}
	k.runs = append(k.runs, Problem{Kind: ProblemUnvouched, Seq: from, Station: station})
	k.runWhere, k.runTo = where, to
}

// closeRun words the run of unvouched entries that just ended.
func (k *trailCheck) closeRun() {
	if k.runWhere == "" {
		return
	}
	p := &k.runs[len(k.runs)-1]
	station := ""
	if p.Station != "" {
		station = fmt.Sprintf(" (the first names station %s)", p.Station)
	}
	p.Text = safeText(fmt.Sprintf("%s%s %s: no station's key vouches for %s; appended or inserted without a station's key (or by a loginshell that signs no checkpoints)",
		capital(span(p.Seq, k.runTo, "", "")), station, plural(p.Seq, k.runTo, "lies", "lie")+" "+k.runWhere, plural(p.Seq, k.runTo, "it", "them")))
	k.runWhere = ""
}

func (k *trailCheck) finish() Report {
	// Each key's newest checkpoint vouches for the ones linked before it.
	for _, ch := range slices.SortedFunc(maps.Values(k.chains), func(a, b *keyChain) int { return cmp.Compare(a.last.Seq, b.last.Seq) }) {
		k.settle(ch)
	}
	// The entries after the newest checkpoint.
	for _, r := range k.pending {
		switch {
		case k.last == nil && !k.expect.Partial:
			k.legacyRun(r.from, r.to)
		case k.last == nil:
			k.unvouched(r.from, r.to, r.station, "in an export without a checkpoint")
		default:
			k.unvouched(r.from, r.to, r.station, fmt.Sprintf("after the newest checkpoint (#%d, station %s)", k.last.Seq, k.last.Station))
		}
	}
	k.closeRun()
	k.r.Problems = append(k.r.Problems, k.runs...)
	if k.moreUnvouched > 0 {
		k.problem(ProblemUnvouched, 0, "", "%d more entries no station's key vouches for", k.moreUnvouched)
	}
	if k.rewritten > 1 {
		k.problem(ProblemRewritten, 0, "", "%d later checkpoints no longer match the trail either", k.rewritten-1)
	}
	// Truncation: one line per station whose checkpoints in the store go
	// past the end, and one for this station's own copy when it goes
	// further (the checkpoints were removed with the entries).
	for _, station := range slices.Sorted(maps.Keys(k.past)) {
		m := k.past[station]
		k.problem(ProblemTruncated, k.end+1, station,
			"the trail ends at #%d but station %s signed a checkpoint at #%d: %s deleted from the end", k.end, station, m, span(k.end+1, m, "was", "were"))
	}
	if own := k.expect.Own; own != nil && own.Store == k.t.Store && !k.ownChecked && own.Seq > k.end && own.Seq > k.past[own.Station] {
		k.problem(ProblemTruncated, k.end+1, own.Station,
			"the trail ends at #%d but this station (%s) signed a checkpoint at #%d, kept in its data directory: %s deleted from the end, with their checkpoints",
			k.end, own.Station, own.Seq, span(k.end+1, own.Seq, "was", "were"))
	}
	if !k.expect.Partial {
		for _, sk := range k.t.Keys {
			if !k.used[[2]string{sk.Station, sk.Key}] {
				k.problem(ProblemCheckpointMissing, 0, sk.Station,
					"station %s's key %s is registered, but the store holds no checkpoint it signed: the station's checkpoints were removed", sk.Station, Fingerprint(sk.Key))
			}
		}
	}
	switch {
	case k.last == nil && !k.expect.Partial && k.r.Entries > 0:
		k.note("no station has signed a checkpoint in this store: the trail is protected by its hash chain only, which does not show a cut tail or a trail re-hashed end to end")
	case k.legacy > 0:
		k.note("%s %s written before any station signed checkpoints: the chain up to the first checkpoint vouches that %s not changed since, not who wrote %s",
			capital(span(k.legacyFrom, k.legacyFrom+k.legacy-1, "", "")), plural(1, k.legacy, "was", "were"), plural(1, k.legacy, "it has", "they have"), plural(1, k.legacy, "it", "them"))
	}
	for _, name := range slices.Sorted(maps.Keys(k.stations)) {
		k.r.Stations = append(k.r.Stations, *k.stations[name])
	}
	return k.r
}

// plural is one when from..to is one entry, else many.
func plural(from, to int64, one, many string) string {
	if from == to {
		return one
	}
	return many
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
