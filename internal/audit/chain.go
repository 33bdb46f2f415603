package audit

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"unicode/utf8"
)

// keyChain is a run of checkpoints of one key, each linked to the one
// before: last vouches for them all once its signature verifies.
type keyChain struct {
	last    Checkpoint
	link    [sha256.Size * 2]byte // LinkOf(last), kept without a string per checkpoint
	from    int64                 // the Seq of the run's first checkpoint
	pending bool                  // last's signature is not verified yet
	bad     bool                  // it did not verify
}

// linked checks a version 2 checkpoint's Link against the checkpoint its
// key signed before, and says whether it holds. A break in the chain
// ends a run: the run's last checkpoint must then verify on its own.
func (k *trailCheck) linked(c Checkpoint) bool {
	if len(c.Link) != len(GenesisLink) || !lower(c.Link) {
		k.problem(ProblemBadSignature, c.Seq, c.Station, "station %s's checkpoint at #%d has a malformed link %q: it was changed after it was signed", c.Station, c.Seq, short(c.Link))
		return false
	}
	ch := k.chains[c.Key]
	switch {
	case ch == nil && c.Link != GenesisLink && !k.expect.Partial:
		k.problem(ProblemCheckpointMissing, c.Seq, c.Station,
			"station %s's checkpoint at #%d follows a checkpoint of its key %s that is not in the trail: checkpoints were removed", c.Station, c.Seq, Fingerprint(c.Key))
	case ch != nil && c.Link != string(ch.link[:]):
		k.settle(ch)
		if !ch.bad {
			k.problem(ProblemCheckpointMissing, c.Seq, c.Station,
				"station %s's checkpoint at #%d does not follow its key's checkpoint at #%d: checkpoints of that key in between were removed, or #%d was changed", c.Station, c.Seq, ch.last.Seq, c.Seq)
		}
	}
	return true
}

// chain makes c the newest checkpoint of its key: it continues the run
// of the one before when it links to it. A version 1 checkpoint (no Link)
// was verified on its own.
func (k *trailCheck) chain(c Checkpoint) {
	ch := k.chains[c.Key]
	if ch == nil || c.Link != string(ch.link[:]) {
		if ch != nil {
			k.settle(ch)
		}
		ch = &keyChain{from: c.Seq}
		k.chains[c.Key] = ch
	}
	ch.last, ch.pending, ch.bad = c, c.Link != "", false
	linkOf(&ch.link, &ch.last)
}

// lower says whether strings.ToLower(s) == s, without its work for ASCII.
func lower(s string) bool {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= utf8.RuneSelf:
			return strings.ToLower(s) == s
		case 'A' <= b && b <= 'Z':
			return false
		}
	}
	return true
}

// settle verifies the signature of ch's last checkpoint, once: it vouches
// for the run.
func (k *trailCheck) settle(ch *keyChain) {
	if !ch.pending {
		return
	}
	ch.pending = false
	if VerifySignature(ch.last) == nil {
		return
	}
	ch.bad = true
	c := ch.last
	run := ""
	if ch.from < c.Seq {
		run = fmt.Sprintf("; nothing else vouches for its key's checkpoints from #%d on", ch.from)
	}
	k.problem(ProblemBadSignature, c.Seq, c.Station, "station %s's checkpoint at #%d does not verify under its key %s: it was changed after it was signed, or made without the key%s", c.Station, c.Seq, Fingerprint(c.Key), run)
}
