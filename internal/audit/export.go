package audit

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"time"

	"loginshell/internal/fault"
)

// ExportFormat is the first member of every export, and names its
// version: a reader refuses any other.
const ExportFormat = "loginshell/audit/export/v1"

// Export is an auditor's copy of a trail, self-contained: whoever holds
// it checks it with no store, with `loginshell audit verify --export` or
// with a program of their own written from this comment and the ones on
// [Entry] and [Checkpoint] (build/scripts/verify-export.py is one).
//
// It is one JSON object with the members below. Entries are consecutive
// (Seq n, n+1, … with no gap); each one's hash is recomputed from its
// fields and each Prev is the Hash of the entry before (for the first
// entry only when it is entry 1, whose Prev is ""). Checkpoints are every
// checkpoint whose Seq lies within the entries, in Seq order, and Keys
// the keys that signed them. The checks are [CheckTrail]'s, entries
// starting where they start when Filter is set.
//
// A whole export (no Filter) holds every entry from 1, every key and
// every checkpoint. A filtered one holds the entries from the first the
// filter selected up to the first checkpoint at or after the last one it
// selected (or the trail's end), so the selected entries are linked to a
// checkpoint by the chain; Selected names them. An export is therefore
// never smaller than what it must prove, and may show entries the filter
// did not ask for.
type Export struct {
	Format string `json:"format"`
	// Store is the identity of the store it was exported from
	// (Checkpoint.Store).
	Store string `json:"store"`
	// Exported is when it was written, on the exporting station's clock.
	Exported time.Time `json:"exported"`
	// Filter is what was asked for, nil for the whole trail.
	Filter *ExportFilter `json:"filter,omitempty"`
	// Selected are the Seqs of the entries the filter selected (absent
	// for the whole trail: every entry).
	Selected    []int64      `json:"selected,omitempty"`
	Keys        []StationKey `json:"keys"`
	Checkpoints []Checkpoint `json:"checkpoints"`
	Entries     []Entry      `json:"entries"`
}

// ExportFilter selects the entries of one request, or those at or after
// a time, or both.
type ExportFilter struct {
	Request string     `json:"request,omitempty"`
	Since   *time.Time `json:"since,omitempty"`
}

// Match says whether f selects e.
func (f *ExportFilter) Match(e Entry) bool {
	return (f.Request == "" || e.Request == f.Request) && (f.Since == nil || !e.Time.Before(*f.Since))
}

// ErrNothingSelected is an export whose filter selects no entry.
var ErrNothingSelected = fault.New(fault.NotFound, "no audit entry matches the filter")

// NewExport reads a trail (proof and entries from one snapshot of a
// store) into an export of what filter selects (nil: everything),
// stamped now. Entries before the first selected one are read and
// dropped; from it on they are held in memory.
func NewExport(proof Proof, entries iter.Seq2[Entry, error], filter *ExportFilter, now time.Time) (Export, error) {
	x := Export{Format: ExportFormat, Store: proof.Store, Exported: now.UTC().Truncate(time.Microsecond), Filter: filter,
		Keys: []StationKey{}, Checkpoints: []Checkpoint{}, Entries: []Entry{}}
	for e, err := range entries {
		if err != nil {
			return Export{}, fmt.Errorf("read the audit trail: %w", err)
		}
		selected := filter == nil || filter.Match(e)
		if selected && filter != nil {
			x.Selected = append(x.Selected, e.Seq)
		}
		if selected || len(x.Entries) > 0 {
			x.Entries = append(x.Entries, e)
		}
	}
	if filter != nil {
		if len(x.Selected) == 0 {
			return Export{}, ErrNothingSelected
		}
		end := x.Entries[len(x.Entries)-1].Seq
		last := x.Selected[len(x.Selected)-1]
		for _, c := range proof.Checkpoints {
			if c.Seq >= last && c.Seq < end {
				end = c.Seq
			}
		}
		x.Entries = slices.DeleteFunc(x.Entries, func(e Entry) bool { return e.Seq > end })
	}
	if len(x.Entries) == 0 {
		x.Keys, x.Checkpoints = append(x.Keys, proof.Keys...), append(x.Checkpoints, proof.Checkpoints...)
		return x, nil
	}
	from, to := x.Entries[0].Seq, x.Entries[len(x.Entries)-1].Seq
	signers := map[[2]string]bool{}
	for _, c := range proof.Checkpoints {
		if filter == nil || (c.Seq >= from && c.Seq <= to) {
			x.Checkpoints = append(x.Checkpoints, c)
			signers[[2]string{c.Station, c.Key}] = true
		}
	}
	slices.SortStableFunc(x.Checkpoints, func(a, b Checkpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, k := range proof.Keys {
		if filter == nil || signers[[2]string{k.Station, k.Key}] {
			x.Keys = append(x.Keys, k)
		}
	}
	return x, nil
}

// WriteTo writes x as indented JSON.
func (x Export) WriteTo(w io.Writer) (int64, error) {
	b, err := json.MarshalIndent(x, "", "\t")
	if err != nil {
		return 0, err
	}
	n, err := w.Write(append(b, '\n'))
	return int64(n), err
}

// ErrNotExport is a file that is not an export this build reads.
var ErrNotExport = fault.New(fault.Invalid, "the file is not a loginshell audit export")

// ReadExport reads an export written by [Export.WriteTo] (or any JSON of
// the same members) from r, refusing another format.
func ReadExport(r io.Reader) (Export, error) {
	var x Export
	if err := json.NewDecoder(r).Decode(&x); err != nil {
		return Export{}, fault.Explain(ErrNotExport, "the file is not a loginshell audit export: %s", err.Error())
	}
	if x.Format != ExportFormat {
		return Export{}, fault.Explain(ErrNotExport, "the file's format is %q, not %q", short(x.Format), ExportFormat)
	}
	return x, nil
}

// VerifyExport checks x as [CheckTrail] checks a store's trail (partial
// when x is filtered), against fingerprints when given (the validation
// record's: without them, the export proves only that it holds together
// under the keys it carries itself). Selected entries must be among its
// entries.
func VerifyExport(x Export, fingerprints []string) (Report, error) {
	entries := func(yield func(Entry, error) bool) {
		for _, e := range x.Entries {
			if !yield(e, nil) {
				return
			}
		}
	}
	r, err := CheckTrail(entries, Proof{Store: x.Store, Keys: x.Keys, Checkpoints: x.Checkpoints},
		Expect{Partial: x.Filter != nil, Fingerprints: fingerprints})
	if err != nil {
		return r, err
	}
	if len(x.Entries) > 0 {
		from, to := x.Entries[0].Seq, x.Entries[len(x.Entries)-1].Seq
		for _, s := range x.Selected {
			if s < from || s > to {
				r.Problems = append(r.Problems, Problem{Kind: ProblemMissing, Seq: s, Text: fmt.Sprintf(
					"entry %d is named as selected but is not in the export: it was removed", s)})
			}
		}
	}
	if len(x.Entries) == 0 && len(x.Selected) > 0 {
		r.Problems = append(r.Problems, Problem{Kind: ProblemMissing, Seq: x.Selected[0], Text: "the export names selected entries but holds none: they were removed"})
	}
	if len(fingerprints) == 0 {
		r.Notes = append(r.Notes, "no --fingerprint given: the stations' keys were not compared with their validation records, so this shows only that the export holds together under the keys it carries")
	}
	return r, nil
}
