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

// NewExport reads a trail (from one snapshot of a store) into an export
// of what filter selects (nil: everything, checkpoints past the end
// included), stamped now. Rows before the first selected entry are read
// and dropped; from it on they are held in memory.
func NewExport(t Trail, filter *ExportFilter, now time.Time) (Export, error) {
	x := Export{Format: ExportFormat, Store: t.Store, Exported: now.UTC().Truncate(time.Microsecond), Filter: filter,
		Keys: []StationKey{}, Checkpoints: []Checkpoint{}, Entries: []Entry{}}
	for row, err := range t.Rows {
		if err != nil {
			return Export{}, fmt.Errorf("read the audit trail: %w", err)
		}
		if row.Entry != nil {
			selected := filter == nil || filter.Match(*row.Entry)
			if selected && filter != nil {
				x.Selected = append(x.Selected, row.Entry.Seq)
			}
			if !selected && len(x.Entries) == 0 {
				continue
			}
			x.Entries = append(x.Entries, *row.Entry)
		} else if filter != nil {
			continue // past the end: only a whole export shows them
		}
		if row.Checkpoint != nil {
			x.Checkpoints = append(x.Checkpoints, *row.Checkpoint)
		}
	}
	if filter != nil {
		if len(x.Selected) == 0 {
			return Export{}, ErrNothingSelected
		}
		// Up to the first checkpoint at or after the last entry selected.
		last := x.Selected[len(x.Selected)-1]
		if i := slices.IndexFunc(x.Checkpoints, func(c Checkpoint) bool { return c.Seq >= last }); i >= 0 {
			end := x.Checkpoints[i].Seq
			x.Checkpoints = x.Checkpoints[:i+1]
			x.Entries = slices.DeleteFunc(x.Entries, func(e Entry) bool { return e.Seq > end })
		}
	}
	signers := map[[2]string]bool{}
	for _, c := range x.Checkpoints {
		signers[[2]string{c.Station, c.Key}] = true
	}
	for _, k := range t.Keys {
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
	cps := slices.Clone(x.Checkpoints)
	slices.SortStableFunc(cps, func(a, b Checkpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	var dup []Problem
	for i := 1; i < len(cps); i++ {
		if cps[i].Seq == cps[i-1].Seq {
			dup = append(dup, Problem{Kind: ProblemBadSignature, Seq: cps[i].Seq, Station: cps[i].Station,
				Text: fmt.Sprintf("two checkpoints are given for entry %d: one was added", cps[i].Seq)})
		}
	}
	r, err := CheckTrail(Trail{Store: x.Store, Keys: x.Keys, Rows: rowsOf(x.Entries, cps)}, Expect{Partial: x.Filter != nil, Fingerprints: fingerprints})
	r.Problems = append(dup, r.Problems...)
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

// rowsOf yields the rows a store would read for entries and checkpoints
// cps (in Seq order): each entry with the checkpoint at it, then the
// checkpoints past the last entry. Checkpoints before the first entry are
// left out (an export's are not linked to its entries), and of two at one
// Seq the first is taken.
func rowsOf(entries []Entry, cps []Checkpoint) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		i := 0
		for j := range entries {
			e := &entries[j]
			for i < len(cps) && cps[i].Seq < e.Seq {
				i++
			}
			var c *Checkpoint
			if i < len(cps) && cps[i].Seq == e.Seq {
				c = &cps[i]
				for i < len(cps) && cps[i].Seq == e.Seq {
					i++
				}
			}
			if !yield(Row{Entry: e, Checkpoint: c}, nil) {
				return
			}
		}
		for ; i < len(cps); i++ {
			if !yield(Row{Checkpoint: &cps[i]}, nil) {
				return
			}
		}
	}
}
