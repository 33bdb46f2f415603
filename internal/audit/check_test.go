package audit

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// plant is a store's trail as stations that sign checkpoints write it,
// built in memory: each tx appends entries of one station and its
// checkpoint, as the stores do in one transaction.
type plant struct {
	store   string
	entries []Entry
	proof   proof
	keys    map[string]ed25519.PrivateKey
	// v1 signs version 1 checkpoints, as stations did before checkpoints
	// were linked; else each links to its key's newest in the store, as
	// the stores do (NextLink), mine the one each station signed last.
	v1   bool
	mine map[string]*Checkpoint
}

// proof is what a store holds beside the entries.
type proof struct {
	Store       string
	Keys        []StationKey
	Checkpoints []Checkpoint
}

// trail is what p's store would read.
func (p *plant) trail() Trail {
	cps := slices.Clone(p.proof.Checkpoints)
	slices.SortStableFunc(cps, func(a, b Checkpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	return Trail{Store: p.proof.Store, Keys: p.proof.Keys, Rows: rowsOf(p.entries, cps)}
}

func newPlant() *plant {
	return &plant{store: "9d7c0a52-3f0e-4d7a-9f51-6a0f2a1b7c11", proof: proof{Store: "9d7c0a52-3f0e-4d7a-9f51-6a0f2a1b7c11"},
		keys: map[string]ed25519.PrivateKey{}, mine: map[string]*Checkpoint{}}
}

// keyOf is station's key, made from its name so tests are repeatable.
func keyOf(station string) ed25519.PrivateKey {
	var seed [ed25519.SeedSize]byte
	copy(seed[:], station)
	return ed25519.NewKeyFromSeed(seed[:])
}

// append adds n entries without a checkpoint, as a forger (or a station
// without a key) would.
func (p *plant) append(station string, n int) {
	for range n {
		var prev *Entry
		if len(p.entries) > 0 {
			prev = &p.entries[len(p.entries)-1]
		}
		e := sample(len(p.entries))
		e.Station = station
		p.entries = append(p.entries, Seal(prev, e))
	}
}

// tx adds n entries of station and the checkpoint it signs for them.
func (p *plant) tx(station string, n int) {
	from := int64(len(p.entries)) + 1
	p.append(station, n)
	key, ok := p.keys[station]
	if !ok {
		key = keyOf(station)
		p.keys[station] = key
		p.proof.Keys = append(p.proof.Keys, StationKey{Station: station, Key: hexKey(key), Registered: base})
	}
	var prev int64
	if cs := p.proof.Checkpoints; len(cs) > 0 {
		prev = cs[len(cs)-1].Seq
	}
	head := p.entries[len(p.entries)-1]
	c := SignCheckpoint(key, Checkpoint{Store: p.store, Station: station, Prev: prev, From: from, Seq: head.Seq, Hash: head.Hash,
		Time: base.Add(time.Duration(head.Seq) * time.Second), Link: p.link(key)})
	p.proof.Checkpoints = append(p.proof.Checkpoints, c)
	p.mine[station] = &c
}

// link is the Link the store gives key's next checkpoint.
func (p *plant) link(key ed25519.PrivateKey) string {
	if p.v1 {
		return ""
	}
	hk := hexKey(key)
	var newest *Checkpoint
	for i := len(p.proof.Checkpoints) - 1; i >= 0 && newest == nil; i-- {
		if p.proof.Checkpoints[i].Key == hk {
			newest = &p.proof.Checkpoints[i]
		}
	}
	var mine *Checkpoint
	for _, m := range p.mine {
		if m.Key == hk {
			mine = m
		}
	}
	return NextLink(newest, mine)
}

func hexKey(k ed25519.PrivateKey) string {
	return SignCheckpoint(k, Checkpoint{}).Key
}

// busy is a plant where two stations took turns: 20 entries in 8
// transactions, checkpointed at 3, 5, 8, 10, 13, 15, 18 and 20.
func busy() *plant { return busyOf(false) }

// busyOf is busy with version 1 checkpoints (v1) or linked ones.
func busyOf(v1 bool) *plant {
	p := newPlant()
	p.v1 = v1
	for range 4 {
		p.tx("ST-1", 3)
		p.tx("ST-2", 2)
	}
	return p
}

// pins are the fingerprints of every key of p, as a station that has
// seen them all keeps them.
func (p *plant) pins() map[string][]string {
	m := map[string][]string{}
	for _, k := range p.proof.Keys {
		m[k.Station] = append(m[k.Station], Fingerprint(k.Key))
	}
	return m
}

func (p *plant) check(t *testing.T, expect Expect) Report {
	t.Helper()
	r, err := CheckTrail(p.trail(), expect)
	if err != nil {
		t.Fatalf("CheckTrail: %v", err)
	}
	return r
}

func kinds(r Report) []string {
	var ks []string
	for _, p := range r.Problems {
		ks = append(ks, p.Kind)
	}
	return ks
}

func TestCheckTrail(t *testing.T) {
	t.Parallel()
	rehash := func(p *plant, from int) {
		for i := from; i < len(p.entries); i++ {
			var prev *Entry
			if i > 0 {
				prev = &p.entries[i-1]
			}
			p.entries[i] = Seal(prev, p.entries[i])
		}
	}
	tests := []struct {
		name   string
		tamper func(p *plant, e *Expect)
		want   string // the kind of the first problem, "" for none
		text   string // in that problem's text
	}{
		{"An untouched trail has no problem.", func(*plant, *Expect) {}, "", ""},
		{"Entries cut from the end are named by the newest checkpoint past them.",
			func(p *plant, _ *Expect) { p.entries = p.entries[:15] }, ProblemTruncated, "the trail ends at #15 but station ST-2 signed a checkpoint at #20"},
		{"All entries but the first cut away are named.",
			func(p *plant, _ *Expect) { p.entries = p.entries[:1] }, ProblemTruncated, "the trail ends at #1 but station"},
		{"An emptied trail is named.",
			func(p *plant, _ *Expect) { p.entries = nil }, ProblemTruncated, "the trail ends at #0 but station ST-2 signed a checkpoint at #20"},
		{"Entries cut with their checkpoints are named by this station's own copy.",
			func(p *plant, e *Expect) {
				own := p.proof.Checkpoints[len(p.proof.Checkpoints)-1]
				e.Own = &own
				p.entries, p.proof.Checkpoints = p.entries[:15], p.proof.Checkpoints[:6]
			}, ProblemTruncated, "the trail ends at #15 but this station (ST-2) signed a checkpoint at #20, kept in its data directory"},
		{"A trail emptied with every checkpoint and key is named by this station's own copy.",
			func(p *plant, e *Expect) {
				own := p.proof.Checkpoints[len(p.proof.Checkpoints)-1]
				e.Own = &own
				p.entries, p.proof.Checkpoints, p.proof.Keys = nil, nil, nil
			}, ProblemTruncated, "the trail ends at #0 but this station (ST-2) signed a checkpoint at #20, kept in its data directory"},
		{"An entry changed and every later hash recomputed is named by the first checkpoint after it.",
			func(p *plant, _ *Expect) { p.entries[6].Comment = "forged"; rehash(p, 6) }, ProblemRewritten, "station ST-1 signed a checkpoint at #8"},
		{"A forged approval chained after the newest checkpoint is named.",
			func(p *plant, _ *Expect) { p.append("ST-1", 1) }, ProblemUnvouched, "Entry 21 (the first names station ST-1) lies after the newest checkpoint (#20, station ST-2)"},
		{"A forged entry that a station's next transaction chained after is named.",
			func(p *plant, _ *Expect) { p.append("ST-1", 2); p.tx("ST-2", 1) }, ProblemUnvouched, "Entries 21 to 22 (the first names station ST-1) lie between the checkpoints at #20 and #23"},
		{"An entry naming another station inside a station's transaction is named.",
			func(p *plant, _ *Expect) { p.entries[3].Station = "ST-9"; rehash(p, 3); resign(p) }, ProblemUnvouched, "naming station \"ST-9\""},
		{"A swapped key re-signing every checkpoint is named by the pin.",
			func(p *plant, _ *Expect) {
				evil := keyOf("evil")
				p.proof.Keys[0].Key = hexKey(evil)
				for i, c := range p.proof.Checkpoints {
					if c.Station == p.proof.Keys[0].Station {
						p.proof.Checkpoints[i] = SignCheckpoint(evil, c)
					}
				}
			}, ProblemKeyChanged, "the key registered for station ST-1 changed"},
		{"A key added for a pinned station is named.",
			func(p *plant, _ *Expect) {
				p.proof.Keys = append(p.proof.Keys, StationKey{Station: "ST-1", Key: hexKey(keyOf("evil"))})
			}, ProblemKeyChanged, "station ST-1 has another key registered"},
		{"A key not among the fingerprints given is named.",
			func(p *plant, e *Expect) { e.Fingerprints = []string{Fingerprint(p.proof.Keys[0].Key)} }, ProblemKeyUnknown, "station ST-2's key"},
		{"A checkpoint signed by an unregistered key is named.",
			func(p *plant, _ *Expect) {
				p.proof.Checkpoints[2] = SignCheckpoint(keyOf("evil"), p.proof.Checkpoints[2])
			}, ProblemKeyUnknown, "not registered for ST-1"},
		{"A checkpoint changed after it was signed is named.",
			func(p *plant, _ *Expect) { p.proof.Checkpoints[2].Time = p.proof.Checkpoints[2].Time.Add(time.Hour) }, ProblemBadSignature, "does not verify"},
		{"A checkpoint of another store is named.",
			func(p *plant, _ *Expect) { p.proof.Store = "another" }, ProblemBadSignature, "signed for another store"},
		{"A station whose every checkpoint was removed is named.",
			func(p *plant, _ *Expect) {
				p.proof.Checkpoints = slices.DeleteFunc(p.proof.Checkpoints, func(c Checkpoint) bool { return c.Station == "ST-1" })
			}, ProblemCheckpointMissing, "station ST-1's key"},
		{"A checkpoint removed from the middle is named by the one after it.",
			func(p *plant, _ *Expect) { p.proof.Checkpoints = slices.Delete(p.proof.Checkpoints, 3, 4) }, ProblemCheckpointMissing, "follows a checkpoint at #10 that is not there"},
		{"The newest checkpoint removed leaves its entries unvouched.",
			func(p *plant, _ *Expect) { p.proof.Checkpoints = p.proof.Checkpoints[:7] }, ProblemUnvouched, "Entries 19 to 20"},
		{"This station's own checkpoint missing from the store is named.",
			func(p *plant, e *Expect) {
				own := p.proof.Checkpoints[7]
				e.Own = &own
				p.proof.Checkpoints[7] = SignCheckpoint(p.keys["ST-2"], Checkpoint{Store: p.store, Station: "ST-2", Prev: 18, From: 19, Seq: 20, Hash: own.Hash, Time: own.Time.Add(time.Second)})
			}, ProblemRewritten, "is not the one this station (ST-2) signed"},
		{"This station's own checkpoint removed from the store is named.",
			func(p *plant, e *Expect) {
				own := p.proof.Checkpoints[7]
				e.Own = &own
				p.proof.Checkpoints = p.proof.Checkpoints[:7]
			}, ProblemCheckpointMissing, "checkpoint at #20, kept in its data directory, is missing from the store"},
		{"A station's name cannot hide a line of the output.",
			func(p *plant, _ *Expect) { p.append("ST-1\x1b[2K\r\u202e", 1) }, ProblemUnvouched, "ST-1\ufffd[2K\ufffd\ufffd"},
		{"A key pinned for a station that is not pinned yet is reported to pin.",
			func(_ *plant, e *Expect) { delete(e.Pins, "ST-2") }, "", ""},
	}
	for _, tt := range tests {
		for _, v1 := range []bool{false, true} {
			name := tt.name
			if v1 {
				name = "v1: " + name
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p := busyOf(v1)
				e := Expect{Pins: p.pins()}
				tt.tamper(p, &e)
				r := p.check(t, e)
				if tt.want == "" {
					if len(r.Problems) > 0 {
						t.Fatalf("problems %v", r.Problems)
					}
					return
				}
				if len(r.Problems) == 0 {
					t.Fatalf("no problem found; want %s", tt.want)
				}
				for _, pr := range r.Problems {
					if pr.Kind == tt.want && strings.Contains(pr.Text, tt.text) {
						return
					}
				}
				t.Errorf("problems %q (%v); want a %s naming %q", r.Problems, kinds(r), tt.want, tt.text)
			})
		}
	}
}

// resign signs every checkpoint again for the entries as they are now,
// as a station's own account could.
func resign(p *plant) {
	newest := map[string]*Checkpoint{}
	for i, c := range p.proof.Checkpoints {
		c.Hash = p.entries[c.Seq-1].Hash
		if c.Link != "" {
			c.Link = NextLink(newest[c.Key], newest[c.Key])
		}
		p.proof.Checkpoints[i] = SignCheckpoint(p.keys[c.Station], c)
		newest[c.Key] = &p.proof.Checkpoints[i]
	}
}

func TestCheckTrailReports(t *testing.T) {
	t.Parallel()
	t.Run("A station not pinned yet is reported for pinning, with a note.", func(t *testing.T) {
		t.Parallel()
		p := busy()
		r := p.check(t, Expect{Pins: map[string][]string{"ST-1": {Fingerprint(p.proof.Keys[0].Key)}}})
		if len(r.Problems) > 0 || len(r.NewKeys) != 1 || r.NewKeys[0].Station != "ST-2" || len(r.Notes) != 1 {
			t.Errorf("problems %v, new keys %v, notes %q; want ST-2's key to pin", r.Problems, r.NewKeys, r.Notes)
		}
	})
	t.Run("The head, counts and each station's newest checkpoint are reported.", func(t *testing.T) {
		t.Parallel()
		p := busy()
		r := p.check(t, Expect{Pins: p.pins()})
		want := []StationReport{{"ST-1", []string{Fingerprint(p.proof.Keys[0].Key)}, 18}, {"ST-2", []string{Fingerprint(p.proof.Keys[1].Key)}, 20}}
		if r.Entries != 20 || r.Head.Seq != 20 || r.Checkpoints != 8 || len(r.Stations) != 2 ||
			r.Stations[0].Newest != want[0].Newest || r.Stations[1].Newest != want[1].Newest {
			t.Errorf("report %+v", r)
		}
	})
	t.Run("Entries from before checkpoints are a note, not a problem.", func(t *testing.T) {
		t.Parallel()
		p := newPlant()
		p.append("OLD", 4)
		p.tx("ST-1", 2)
		r := p.check(t, Expect{Pins: p.pins()})
		if len(r.Problems) > 0 || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "Entries 1 to 4 were written before any station signed checkpoints") {
			t.Errorf("problems %v, notes %q", r.Problems, r.Notes)
		}
	})
	t.Run("A trail with no checkpoint at all is a note.", func(t *testing.T) {
		t.Parallel()
		p := newPlant()
		p.append("OLD", 3)
		r := p.check(t, Expect{})
		if len(r.Problems) > 0 || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "hash chain only") {
			t.Errorf("problems %v, notes %q", r.Problems, r.Notes)
		}
	})
	t.Run("A broken chain is the error, as Verify names it.", func(t *testing.T) {
		t.Parallel()
		p := busy()
		p.entries[4].Comment = "edited"
		_, err := CheckTrail(p.trail(), Expect{})
		var b *BreakError
		if !errors.As(err, &b) || b.Seq != 5 || b.Problem != ProblemAltered {
			t.Errorf("err %v, want entry 5 altered", err)
		}
	})
}

// TestCheckpointGolden pins versions 1 and 2 of the checkpoint's encoding: a
// signature made by a fixed key over fixed fields (Ed25519 signatures
// are deterministic). The reference verifier in Python checks the same
// bytes (build/scripts/verify-export.py --self-test).
func TestCheckpointGolden(t *testing.T) {
	t.Parallel()
	c := SignCheckpoint(keyOf("ST-7"), Checkpoint{Store: "9d7c0a52-3f0e-4d7a-9f51-6a0f2a1b7c11", Station: "ST-7", Prev: 12, From: 13, Seq: 14,
		Hash: "438455fe9f2d897b48d2ef685a8af8e0ba82ece272769214e99f53629e94eeb8", Time: time.Date(2025, 3, 1, 9, 15, 2, 123456789, time.UTC)})
	const (
		key = "0fd29e4f508bb4b8ffcfce8df3b46f66ecfe4361f16d89221873cde5707d3867"
		sig = "64437fc869b24c066ec70d169c9534fc8f54684dbc04c0d19604daf6aa16a658a8233718ec45d4d2eb7a9fd73511227563efc2e1f442c721441f840bef2b0603"
	)
	if c.Key != key || c.Signature != sig {
		t.Errorf("key %s, signature %s\nwant %s, %s: the checkpoint's encoding changed; stored checkpoints would no longer verify", c.Key, c.Signature, key, sig)
	}
	if err := VerifySignature(c); err != nil {
		t.Error(err)
	}
	if !bytes.HasPrefix(c.message(), []byte("\x00\x00\x00\x00\x00\x00\x00\x1eloginshell/audit/checkpoint/v1")) {
		t.Errorf("the message does not start with the version: %q", c.message())
	}
	// Version 2: the same fields with a link, and the link to it.
	c.Link = "5f1c0e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
	c = SignCheckpoint(keyOf("ST-7"), c)
	if const2 := "063d9da8eda66301e6a705dd2c913e4e44601a6361aa07d7337ad3d17e912dd9bcf431e181ec446d0a9a19ab413a31e37442df2850b5237e05baf97f4a42a906"; c.Signature != const2 {
		t.Errorf("version 2 signature %s, want %s: the encoding changed", c.Signature, const2)
	}
	if l := LinkOf(&c); l != "d234d47c56bdb432fccce5e4370757ad5f4a4c976e43eada4e9068cd29eed0ce" {
		t.Errorf("link %s: the link's encoding changed", l)
	}
	if fp := Fingerprint(key); fp != "da35 8755 2075 72d1 cb3c 2b1a 2bb3 344f e996 aa43 3682 0c87 0a13 59fd 03cf 18f7" {
		t.Errorf("fingerprint %q: the fingerprints in validation records would no longer match", fp)
	}
}
