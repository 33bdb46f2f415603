package audit

import (
	"strings"
	"testing"
	"time"
)

// TestCheckTrailLinks: with linked checkpoints CheckTrail verifies one
// signature per key (and per break), so each of these changes must break
// a link; TestCheckTrail's cases run on linked checkpoints too.
func TestCheckTrailLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tamper func(p *plant)
		want   string
		text   string
	}{
		{"A checkpoint's signature replaced, its fields untouched, is named.",
			func(p *plant) { p.proof.Checkpoints[2].Signature = p.proof.Checkpoints[0].Signature },
			ProblemBadSignature, "station ST-1's checkpoint at #8 does not verify"},
		{"A checkpoint made version 1 (its link removed) is named.",
			func(p *plant) { p.proof.Checkpoints[2].Link = "" },
			ProblemBadSignature, "station ST-1's checkpoint at #8 does not verify"},
		{"A link in capitals is named.",
			func(p *plant) { p.proof.Checkpoints[2].Link = strings.ToUpper(p.proof.Checkpoints[2].Link) },
			ProblemBadSignature, "malformed link"},
		{"A key's first checkpoint removed is named by its second.",
			func(p *plant) { p.proof.Checkpoints = p.proof.Checkpoints[1:] },
			ProblemCheckpointMissing, "follows a checkpoint of its key"},
		{"A key's checkpoint removed is named by the next one of that key.",
			func(p *plant) {
				// The store-wide chain (Prev) patched as an editor could,
				// were it not signed: only the key's link is left to see it.
				cs := p.proof.Checkpoints
				cs[3].Prev = cs[1].Seq
				p.proof.Checkpoints = append(cs[:2:2], cs[3:]...)
			},
			ProblemCheckpointMissing, "does not follow its key's checkpoint at #3"},
		{"A checkpoint forged for a station's entries, linked to its newest, is named after the station signed again.",
			func(p *plant) {
				p.append("ST-1", 2)
				newest := p.proof.Checkpoints[len(p.proof.Checkpoints)-2] // ST-1's, at #18
				head := p.entries[len(p.entries)-1]
				forged := SignCheckpoint(keyOf("evil"), Checkpoint{Store: p.store, Prev: 20, From: 21, Seq: head.Seq, Hash: head.Hash,
					Time: base, Link: LinkOf(&newest)})
				forged.Station, forged.Key = "ST-1", hexKey(p.keys["ST-1"])
				p.proof.Checkpoints = append(p.proof.Checkpoints, forged)
				p.tx("ST-1", 1)
				p.tx("ST-2", 1)
			},
			ProblemBadSignature, "station ST-1's checkpoint at #22 does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := busy()
			tt.tamper(p)
			r := p.check(t, Expect{Pins: p.pins()})
			for _, pr := range r.Problems {
				if pr.Kind == tt.want && strings.Contains(pr.Text, tt.text) {
					return
				}
			}
			t.Errorf("problems %q (%v); want a %s naming %q", r.Problems, kinds(r), tt.want, tt.text)
		})
	}
}

func TestCheckTrailMixedVersions(t *testing.T) {
	t.Parallel()
	p := newPlant()
	p.v1 = true
	p.tx("ST-1", 2)
	p.tx("ST-2", 1)
	p.v1 = false // the stations were updated: their next checkpoints link to their version 1 ones
	p.tx("ST-1", 2)
	p.tx("ST-2", 1)
	p.tx("ST-1", 1)
	if p.proof.Checkpoints[2].Link == "" || p.proof.Checkpoints[2].Link == GenesisLink {
		t.Fatalf("link %q, want one to the version 1 checkpoint", p.proof.Checkpoints[2].Link)
	}
	if r := p.check(t, Expect{Pins: p.pins()}); len(r.Problems) > 0 || r.Checkpoints != 5 {
		t.Errorf("problems %v, %d checkpoints", r.Problems, r.Checkpoints)
	}
}

func TestNextLink(t *testing.T) {
	t.Parallel()
	key := keyOf("ST-1")
	mine := SignCheckpoint(key, Checkpoint{Store: "s", Prev: 0, From: 1, Seq: 2, Hash: strings.Repeat("a", 64), Time: base, Link: GenesisLink})
	other := SignCheckpoint(key, Checkpoint{Store: "s", Prev: 2, From: 3, Seq: 3, Hash: strings.Repeat("b", 64), Time: base, Link: LinkOf(&mine)})
	forged := other
	forged.Time = forged.Time.Add(time.Second)
	tests := []struct {
		name       string
		prev, mine *Checkpoint
		want       string
	}{
		{"A key's first checkpoint starts its chain.", nil, nil, GenesisLink},
		{"The checkpoint this process committed is linked to.", &mine, &mine, LinkOf(&mine)},
		{"Another process's checkpoint with the key is linked to when it verifies.", &other, &mine, LinkOf(&other)},
		{"A checkpoint that does not verify is never linked to: the chain starts again.", &forged, &mine, GenesisLink},
		{"Nor when this process has committed none.", &forged, nil, GenesisLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := NextLink(tt.prev, tt.mine); got != tt.want {
				t.Errorf("NextLink = %s, want %s", got, tt.want)
			}
		})
	}
	if LinkOf(&mine) == LinkOf(&other) || len(LinkOf(&mine)) != len(GenesisLink) {
		t.Errorf("links %s and %s", LinkOf(&mine), LinkOf(&other))
	}
}

// TestLower: lower is strings.ToLower(s) == s, which linked used to
// call for every checkpoint.
func TestLower(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", GenesisLink, strings.Repeat("ab12", 16), strings.Repeat("AB12", 16), "abcdeF", "zz",
		"é", "É", "straße", "İ", "ǅ", "\xff", "a\x00b", "Ω", "ω"} {
		if got, want := lower(s), strings.ToLower(s) == s; got != want {
			t.Errorf("lower(%q) = %v, want %v", s, got, want)
		}
	}
}
