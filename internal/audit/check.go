package audit

import "fmt"

// Problems [CheckTrail] names, besides the chain's (a [*BreakError]).
const (
	// ProblemUnvouched: entries no station's key vouches for: appended
	// after the newest checkpoint, or between two checkpoints, by someone
	// without a station's key (the encoding is public, so such an entry
	// chains correctly), or an entry naming a station other than the one
	// whose transaction committed it.
	ProblemUnvouched = "unvouched"
	// ProblemKeyChanged: a station's registered key is not one this
	// station pinned for it (trust on first use).
	ProblemKeyChanged = "key changed"
	// ProblemKeyUnknown: a checkpoint signed by a key not registered for
	// its station, or a key not among the fingerprints a person gave.
	ProblemKeyUnknown = "unknown key"
	// ProblemBadSignature: a checkpoint that does not verify, or was
	// signed for another store, or does not hold together (From after
	// Seq).
	ProblemBadSignature = "bad signature"
	// ProblemCheckpointMissing: a registered key with no checkpoint, a
	// checkpoint that names one before it that is gone, or this station's
	// own latest checkpoint missing from the store.
	ProblemCheckpointMissing = "checkpoint missing"
)

// Problem is one thing [CheckTrail] found wrong. Its Text is for a
// person checking the trail: entry numbers, station names and
// fingerprints, never an entry's content.
type Problem struct {
	Kind    string // one of the Problem constants (truncated, rewritten, unvouched, ...)
	Seq     int64  // the entry or checkpoint it is about, 0 for none
	Station string // the station it is about, "" for none
	Text    string
}

func (p Problem) String() string { return p.Text }

// Expect is what the verifier knows of a trail besides the store or the
// export: what this station kept in its own data directory, and what a
// person gave on the command line. Zero values check nothing more.
type Expect struct {
	// Partial is set for an export: its entries may start after entry 1
	// (they are linked by the checkpoints, not by the first entry), and a
	// registered key need not have a checkpoint among them.
	Partial bool
	// Own is this station's latest checkpoint in this store, as kept in
	// its data directory (DATA/checkpoint.json), nil for none. The trail
	// must reach it and the store must hold it.
	Own *Checkpoint
	// Pins are the fingerprints this station has seen for each station
	// (trust on first use). A registered key of a pinned station that is
	// not among its fingerprints is ProblemKeyChanged; a station not
	// pinned yet has its keys in [Report.NewKeys].
	Pins map[string][]string
	// Fingerprints, when not empty, are the only keys accepted
	// ([Fingerprint] form), e.g. from the validation record.
	Fingerprints []string
}

// Report is what [CheckTrail] found.
type Report struct {
	// Entries is how many entries were read; Head the last one.
	Entries int64
	Head    Entry
	// Checkpoints is how many checkpoints were checked.
	Checkpoints int
	// Stations are the stations with a registered key, by name: their
	// keys' fingerprints and newest checkpoint.
	Stations []StationReport
	// Problems is empty when the trail is as its stations signed it.
	Problems []Problem
	// Notes say what the check could not vouch for without it being
	// wrong: entries from before checkpoints existed, keys seen for the
	// first time.
	Notes []string
	// NewKeys are registered keys of stations Expect.Pins has no
	// fingerprint for: the caller pins them (trust on first use).
	NewKeys []StationKey
}

// StationReport sums up one station's part in a trail.
type StationReport struct {
	Station      string
	Fingerprints []string
	// Newest is the Seq of its newest checkpoint, 0 for none.
	Newest int64
}

// maxUnvouchedRuns bounds how many runs of unvouched entries are named
// one by one; the rest are counted.
const maxUnvouchedRuns = 10

// CheckTrail checks a trail against what its stations signed, reading its
// rows once, in order (a store's whole trail, or an export): the entries
// are checked as [Verify] checks them, and a break in the chain is
// returned as the error, a [*BreakError], as is a failure to read. An
// intact chain is then held against the checkpoints, keys and expect, and
// every problem found is in the Report:
//
//   - truncated: a checkpoint (in the store, or this station's own copy)
//     is past the trail's last entry: "the trail ends at #N but station
//     X signed a checkpoint at #M".
//   - rewritten: an entry at a checkpoint's Seq does not have the hash
//     the station signed: the trail was changed and re-hashed up to it.
//   - unvouched (the rule against appended forgeries): every entry must
//     lie in the range From..Seq of a checkpoint of the station it names.
//     An entry after the newest checkpoint, or between one checkpoint's
//     Prev and its From, was committed in no transaction of a station
//     that holds a key; so is an entry in station X's range that names
//     another station. Two exceptions, reported as notes: a trail with
//     no checkpoint at all (written before checkpoints existed, and
//     vouched for by nothing but its chain), and the entries before the
//     From of the store's first checkpoint (Prev 0: the trail as the
//     first station to sign found it).
//   - key changed, unknown key: see Expect.Pins and Expect.Fingerprints;
//     a checkpoint must be signed by a key registered for its station.
//   - bad signature: a checkpoint that does not verify under its key, or
//     names another store. A version 1 checkpoint is verified on its own;
//     a linked one (version 2) through its key's chain: the signature of
//     the chain's newest checkpoint, and of the one before each break.
//   - checkpoint missing: a registered key with no checkpoint (not for a
//     partial trail), a checkpoint whose Prev names one that is gone, or
//     whose Link is not its key's checkpoint before it,
//     this station's own latest checkpoint missing from the store.
//
// It holds in memory the keys and the entries since the last checkpoint
// (as runs of one station), not the trail. It does NOT compare the
// entries with the requests in the store (signature.Records does),
// and it cannot see a tail cut back to before the newest checkpoint that
// anyone kept outside the store when those checkpoints were removed too:
// that is what Expect.Own and the exports held by others are for.
func CheckTrail(t Trail, expect Expect) (Report, error) {
	k := newTrailCheck(t, expect)
	var chain checker
	first, ended := true, false
	for row, err := range t.Rows {
		if err != nil {
			return Report{}, fmt.Errorf("read the audit trail after entry %d: %w", chain.last.Seq, err)
		}
		if row.Entry == nil {
			if !ended {
				if b := chain.end(); b != nil {
					return Report{}, b
				}
				ended = true
			}
			if row.Checkpoint != nil {
				k.orphan(*row.Checkpoint)
			}
			continue
		}
		e := *row.Entry
		if first && expect.Partial && e.Seq > 1 {
			// An export's first entry links to one it does not hold: the
			// chain is checked from it on, and the checkpoints vouch for
			// where it stands.
			chain.last = Entry{Seq: e.Seq - 1, Hash: e.Prev}
		}
		first = false
		if b := chain.step(e); b != nil {
			return Report{}, b
		}
		if !chain.gapped { // else the next step, or end, names the gap
			k.entry(e, row.Checkpoint)
		}
	}
	if !ended {
		if b := chain.end(); b != nil {
			return Report{}, b
		}
	}
	return k.finish(), nil
}
