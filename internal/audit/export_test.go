package audit

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// exported writes p's trail as an export of what filter selects and
// reads it back, as an auditor would.
func exported(t *testing.T, p *plant, filter *ExportFilter) Export {
	t.Helper()
	x, err := NewExport(p.trail(), filter, base)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	back, err := ReadExport(&b)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestExport(t *testing.T) {
	t.Parallel()
	p := busy()
	fps := []string{Fingerprint(p.proof.Keys[0].Key), Fingerprint(p.proof.Keys[1].Key)}
	request := p.entries[6].Request // entries 7 to 12 (sample: 6 entries a request)
	since := p.entries[15].Time
	tests := []struct {
		name       string
		filter     *ExportFilter
		from, to   int64
		selected   int
		keys, cpts int
	}{
		{"The whole trail is every entry, key and checkpoint.", nil, 1, 20, 0, 2, 8},
		{"One request runs from its first entry to the checkpoint after its last.", &ExportFilter{Request: request}, 7, 13, 6, 2, 3},
		{"Since a time runs to the end.", &ExportFilter{Since: &since}, 16, 20, 5, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := exported(t, p, tt.filter)
			if got := len(x.Entries); got == 0 || x.Entries[0].Seq != tt.from || x.Entries[got-1].Seq != tt.to ||
				len(x.Selected) != tt.selected || len(x.Keys) != tt.keys || len(x.Checkpoints) != tt.cpts {
				t.Fatalf("entries %d-%d, %d selected, %d keys, %d checkpoints; want %d-%d, %d, %d, %d",
					x.Entries[0].Seq, x.Entries[len(x.Entries)-1].Seq, len(x.Selected), len(x.Keys), len(x.Checkpoints),
					tt.from, tt.to, tt.selected, tt.keys, tt.cpts)
			}
			r, err := VerifyExport(x, fps)
			if err != nil || len(r.Problems) > 0 {
				t.Errorf("VerifyExport: %v %v", err, r.Problems)
			}
		})
	}
	t.Run("A filter that selects nothing is refused.", func(t *testing.T) {
		t.Parallel()
		if _, err := NewExport(p.trail(), &ExportFilter{Request: "none"}, base); !errors.Is(err, ErrNothingSelected) {
			t.Errorf("err %v, want ErrNothingSelected", err)
		}
	})
	t.Run("Another format is refused.", func(t *testing.T) {
		t.Parallel()
		if _, err := ReadExport(strings.NewReader(`{"format":"loginshell/audit/export/v9"}`)); !errors.Is(err, ErrNotExport) {
			t.Errorf("err %v, want ErrNotExport", err)
		}
	})
}

func TestVerifyExportRefusesTampering(t *testing.T) {
	t.Parallel()
	p := busy()
	fps := []string{Fingerprint(p.proof.Keys[0].Key), Fingerprint(p.proof.Keys[1].Key)}
	request := p.entries[6].Request
	tests := []struct {
		name   string
		filter *ExportFilter
		tamper func(x *Export)
		want   string // the kind of a problem, or of the break
	}{
		{"An edited entry.", nil, func(x *Export) { x.Entries[3].Comment = "all good" }, ProblemAltered},
		{"An edited entry re-hashed to the end.", nil, func(x *Export) {
			x.Entries[3].Comment = "all good"
			for i := 3; i < len(x.Entries); i++ {
				x.Entries[i] = Seal(&x.Entries[i-1], x.Entries[i])
			}
		}, ProblemRewritten},
		{"The last entries cut.", nil, func(x *Export) { x.Entries = x.Entries[:17] }, ProblemTruncated},
		{"A forged entry appended.", nil, func(x *Export) {
			e := sample(5)
			e.Station = "ST-1"
			x.Entries = append(x.Entries, Seal(&x.Entries[len(x.Entries)-1], e))
		}, ProblemUnvouched},
		{"A checkpoint left out of a filtered export.", &ExportFilter{Request: request}, func(x *Export) { x.Checkpoints = x.Checkpoints[1:] }, ProblemCheckpointMissing},
		{"A selected entry left out.", &ExportFilter{Request: request}, func(x *Export) { x.Selected = append(x.Selected, 99) }, ProblemMissing},
		{"A key swapped and its checkpoints re-signed.", nil, func(x *Export) {
			evil := keyOf("evil")
			x.Keys[0].Key = hexKey(evil)
			for i, c := range x.Checkpoints {
				if c.Station == x.Keys[0].Station {
					x.Checkpoints[i] = SignCheckpoint(evil, c)
				}
			}
		}, ProblemKeyUnknown},
		{"A checkpoint's time changed.", nil, func(x *Export) { x.Checkpoints[0].Time = x.Checkpoints[0].Time.Add(time.Second) }, ProblemBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := exported(t, p, tt.filter)
			tt.tamper(&x)
			r, err := VerifyExport(x, fps)
			var b *BreakError
			if errors.As(err, &b) {
				if b.Problem != tt.want {
					t.Errorf("break %v, want %s", b, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, pr := range r.Problems {
				if pr.Kind == tt.want {
					return
				}
			}
			t.Errorf("problems %q; want a %s", r.Problems, tt.want)
		})
	}
}
