package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"loginshell/internal/fault"
)

// tampered returns a copy of the 6-entry trail changed by f.
func tampered(f func(es []Entry) []Entry) []Entry {
	return f(slices.Clone(chain(6)))
}

// forged returns an entry a forger sealed after prev: its own hash is
// right.
func forged(prev *Entry, comment string) Entry {
	e := sample(5)
	e.Comment = comment
	return Seal(prev, e)
}

func TestVerify(t *testing.T) {
	t.Parallel()
	trail := chain(6)
	head := trail[5]
	type want struct {
		seq     int64
		problem string // "" for an intact trail
	}
	tests := []struct {
		name    string
		entries []Entry
		verify  want // Verify
		against want // VerifyAgainst the head, entry 6
	}{
		{"An intact trail verifies.", trail, want{}, want{}},
		{"An empty trail verifies, and is all of a trail whose head is entry 0.", nil, want{}, want{1, ProblemTruncated}},
		{"A deleted first entry is named by the entry after it.",
			tampered(func(es []Entry) []Entry { return es[1:] }), want{2, ProblemMissing}, want{2, ProblemMissing}},
		{"A deleted middle entry is named by the entry after it.",
			tampered(func(es []Entry) []Entry { return slices.Delete(es, 2, 3) }), want{4, ProblemMissing}, want{4, ProblemMissing}},
		{"Two deleted entries are named by the entry after them.",
			tampered(func(es []Entry) []Entry { return slices.Delete(es, 2, 4) }), want{5, ProblemMissing}, want{5, ProblemMissing}},
		{"A deleted last entry is seen only against the head kept apart.",
			tampered(func(es []Entry) []Entry { return es[:5] }), want{}, want{6, ProblemTruncated}},
		{"Two swapped entries are named by the first out of place.",
			tampered(func(es []Entry) []Entry { es[2], es[3] = es[3], es[2]; return es }), want{4, ProblemReordered}, want{4, ProblemReordered}},
		{"The first two swapped are named by the first out of place.",
			tampered(func(es []Entry) []Entry { es[0], es[1] = es[1], es[0]; return es }), want{2, ProblemReordered}, want{2, ProblemReordered}},
		{"The last two swapped are named by the first out of place.",
			tampered(func(es []Entry) []Entry { es[4], es[5] = es[5], es[4]; return es }), want{6, ProblemReordered}, want{6, ProblemReordered}},
		{"Two distant entries swapped are named by the first out of place.",
			tampered(func(es []Entry) []Entry { es[1], es[4] = es[4], es[1]; return es }), want{5, ProblemReordered}, want{5, ProblemReordered}},
		{"An entry moved to the end is missing from its place.",
			tampered(func(es []Entry) []Entry { return append(slices.Delete(es, 1, 2), trail[1]) }), want{3, ProblemMissing}, want{3, ProblemMissing}},
		{"An entry moved later is missing from its place.",
			tampered(func(es []Entry) []Entry { return slices.Insert(slices.Delete(es, 1, 2), 3, trail[1]) }), want{3, ProblemMissing}, want{3, ProblemMissing}},
		{"An entry stored twice is repeated.",
			tampered(func(es []Entry) []Entry { return slices.Insert(es, 3, es[2]) }), want{3, ProblemRepeated}, want{3, ProblemRepeated}},
		{"An older entry stored again later is out of order.",
			tampered(func(es []Entry) []Entry { return slices.Insert(es, 4, es[1]) }), want{2, ProblemReordered}, want{2, ProblemReordered}},
		{"A forged entry inserted with a right hash is seen at the real entry of its number.",
			tampered(func(es []Entry) []Entry { return slices.Insert(es, 3, forged(&es[2], "forged")) }), want{4, ProblemInserted}, want{4, ProblemInserted}},
		{"A forged entry inserted with a copied hash is altered.",
			tampered(func(es []Entry) []Entry {
				f := es[3]
				f.Comment = "forged"
				return slices.Insert(es, 3, f)
			}), want{4, ProblemAltered}, want{4, ProblemAltered}},
		{"An entry replaced by a re-sealed forgery breaks the next entry's link.",
			tampered(func(es []Entry) []Entry { es[2] = forged(&es[1], "forged"); return es }), want{4, ProblemBrokenLink}, want{4, ProblemBrokenLink}},
		{"A forged entry with a right hash at the end is seen only against the head.",
			tampered(func(es []Entry) []Entry { return append(es, forged(&es[5], "forged")) }), want{}, want{7, ProblemUnexpected}},
		{"A trail re-hashed from an entry on is seen only against the head.",
			tampered(func(es []Entry) []Entry {
				es[3].Comment = "rewritten"
				for i := 3; i < len(es); i++ {
					es[i] = Seal(&es[i-1], es[i])
				}
				return es
			}), want{}, want{6, ProblemRewritten}},
		{"A first entry that links to an entry before it is not the first.",
			tampered(func(es []Entry) []Entry {
				es[0].Prev = strings.Repeat("ab", 32)
				es[0].Hash = digest(&es[0])
				return es
			}), want{1, ProblemBrokenLink}, want{1, ProblemBrokenLink}},
		{"A trail that starts at entry 0 is out of order.",
			[]Entry{func() Entry { e := trail[0]; e.Seq = 0; e.Hash = digest(&e); return e }()}, want{0, ProblemReordered}, want{0, ProblemReordered}},
		{"The deleted start of a re-numbered trail shows as a link to nothing.",
			tampered(func(es []Entry) []Entry {
				es = es[1:]
				es[0].Seq = 1
				es[0].Hash = digest(&es[0])
				return es[:1]
			}), want{1, ProblemBrokenLink}, want{1, ProblemBrokenLink}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkBreak(t, "Verify", Verify(all(tt.entries)), tt.verify.seq, tt.verify.problem)
			checkBreak(t, "VerifyAgainst", VerifyAgainst(all(tt.entries), head), tt.against.seq, tt.against.problem)
		})
	}
}

// checkBreak checks that err is nil when problem is "", else a
// *BreakError at seq with problem that is safe to show.
func checkBreak(t *testing.T, what string, err error, seq int64, problem string) {
	t.Helper()
	if problem == "" {
		if err != nil {
			t.Errorf("%s: %v, want an intact trail", what, err)
		}
		return
	}
	var b *BreakError
	switch {
	case !errors.As(err, &b):
		t.Errorf("%s: %v, want a *BreakError (%s at entry %d)", what, err, problem, seq)
	case b.Seq != seq || b.Problem != problem:
		t.Errorf("%s: %s at entry %d (%v), want %s at entry %d", what, b.Problem, b.Seq, err, problem, seq)
	case !errors.Is(err, ErrBroken) || fault.KindOf(err) != fault.Invalid || fault.Text(err) != err.Error():
		t.Errorf("%s: %v does not match ErrBroken as an Invalid error safe to show", what, err)
	case b.Detail == "" || !strings.Contains(b.Detail, fmt.Sprintf("entry %d", seq)) && !strings.Contains(b.Detail, fmt.Sprintf("entries %d", seq)):
		t.Errorf("%s: the detail %q does not name entry %d", what, b.Detail, seq)
	}
}

// TestVerifyFindsEveryAlteredField changes one field of one entry at a
// time, for every field of Entry (a new field is covered, or the test
// fails asking for its mutation) and every entry of the trail, and wants
// that entry named.
func TestVerifyFindsEveryAlteredField(t *testing.T) {
	t.Parallel()
	const n = 5
	fields := reflect.TypeFor[Entry]()
	for f := range fields.NumField() {
		for i := range n {
			name := fields.Field(f).Name
			t.Run(fmt.Sprintf("A changed %s of entry %d is found.", name, i+1), func(t *testing.T) {
				t.Parallel()
				es := chain(n)
				v := reflect.ValueOf(&es[i]).Elem().Field(f)
				switch x := v.Addr().Interface().(type) {
				case *string:
					if *x == "" {
						*x = "x"
					} else {
						b := []byte(*x)
						b[len(b)/2] ^= 1
						*x = string(b)
					}
				case *int64:
					*x ^= 1
				case *time.Time:
					*x = x.Add(time.Nanosecond)
				case **bool:
					if *x == nil {
						*x = no()
					} else {
						*x = func(v bool) *bool { return &v }(!**x)
					}
				default:
					t.Fatalf("no mutation for field %s of type %T: add one", name, x)
				}
				checkBreak(t, "Verify", Verify(all(es)), int64(i+1), ProblemAltered)
			})
		}
	}
}

func TestVerifyReportsAReadError(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk gone")
	trail := chain(3)
	entries := func(yield func(Entry, error) bool) {
		_ = yield(trail[0], nil) && yield(trail[1], nil) && yield(Entry{}, cause)
	}
	err := Verify(entries)
	if !errors.Is(err, cause) || errors.Is(err, ErrBroken) {
		t.Errorf("Verify = %v, want the read error, not a broken trail", err)
	}
	if !strings.Contains(err.Error(), "after entry 2") {
		t.Errorf("Verify = %v, want it to say where reading stopped", err)
	}
}

func TestVerifyStopsAtTheFirstBreak(t *testing.T) {
	t.Parallel()
	es := chain(6)
	es[1].Comment = "changed"
	read := 0
	entries := func(yield func(Entry, error) bool) {
		for _, e := range es {
			read++
			if !yield(e, nil) {
				return
			}
		}
	}
	checkBreak(t, "Verify", Verify(entries), 2, ProblemAltered)
	if read != 2 {
		t.Errorf("Verify read %d entries, want it to stop at the first break", read)
	}
}

// jsonLines yields the entries of a JSON stream, as `audit show --json`
// writes it, and the first decoding error.
func jsonLines(data []byte) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			var e Entry
			err := dec.Decode(&e)
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(e, err) || err != nil {
				return
			}
		}
	}
}

// same reports whether two trails are the same for the hash: same
// encoding and stored hash of every entry, in order.
func same(a, b []Entry) bool {
	return slices.EqualFunc(a, b, func(x, y Entry) bool {
		return x.Hash == y.Hash && bytes.Equal(encode(nil, &x), encode(nil, &y))
	})
}

// FuzzVerify mutates a serialized trail. Verify must never panic; against
// the head, it must report exactly the changes (a trail that reads back
// as the original, whatever its bytes, is intact); alone, it may accept
// only the original or a trail cut short at the end.
func FuzzVerify(f *testing.F) {
	trail := chain(8)
	head := trail[len(trail)-1]
	var b bytes.Buffer
	for _, e := range trail {
		line, err := json.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	orig := b.Bytes()
	f.Add(orig)
	lines := bytes.SplitAfter(orig, []byte("\n"))
	f.Add(bytes.Join(slices.Delete(slices.Clone(lines), 3, 4), nil))
	f.Add(bytes.Join(append(slices.Clone(lines[:2]), lines[3], lines[2]), nil))
	f.Add(bytes.Replace(orig, []byte("checked twice"), []byte("checked twicE"), 1))
	f.Add(bytes.Replace(orig, []byte(`"seq":3`), []byte(`"seq":4`), 1))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []Entry
		readErr := error(nil)
		for e, err := range jsonLines(data) {
			if err != nil {
				readErr = err
				break
			}
			got = append(got, e)
		}
		changed := readErr != nil || !same(got, trail)
		against := VerifyAgainst(jsonLines(data), head)
		if changed != (against != nil) {
			t.Fatalf("VerifyAgainst = %v for a trail that changed: %v", against, changed)
		}
		alone := Verify(jsonLines(data))
		if alone == nil && (readErr != nil || len(got) > len(trail) || !same(got, trail[:len(got)])) {
			t.Fatalf("Verify accepts a trail that is not the original cut short")
		}
		if alone != nil && readErr == nil && !errors.Is(alone, ErrBroken) {
			t.Fatalf("Verify = %v, want a *BreakError for entries that read", alone)
		}
	})
}
