package settings

import (
	"fmt"
	"strings"
)

// Recorded are the settings a signature depends on: the organisation's
// login server (an "openid" template's signer is verified by its issuer)
// and the client the shell signs in as there. Every change of one is
// evidence (DESIGN §7): the Store hands it to its recorder (Record), which
// writes it to the audit trail. client_secret is left out: a secret never
// goes into the trail.
var Recorded = []string{LoginURL, ClientID}

// Via names the way a change of a Recorded setting came in, in words the
// trail shows after "through".
type Via string

// The ways the shell changes its login server. ViaUnnamed is any other
// (Merge, Set, Delete): no path of the shell's own uses it for a Recorded
// key, and pages are refused these keys before they reach the Store
// (IsShellKey), so an entry naming it is worth a look.
const (
	ViaCommandLine Via = "the command line (--login-url)"
	ViaDemo        Via = "the command line (--demo)"
	ViaFirstStart  Via = "the first start's form"
	ViaErrorView   Via = "the sign-in error's login-server form"
	ViaSettings    Via = "the Settings place"
	ViaUnnamed     Via = "a way the shell does not name"
)

// Change is one change of a Recorded setting: its key, the value before
// and after ("" for none), and the way it came in.
type Change struct {
	Key, Old, New string
	Via           Via
}

// Detail is the change in words for the trail: `login_url changed from
// "https://a" to "https://b" through the Settings place`.
func (c Change) Detail() string {
	switch {
	case c.Via == ViaFound:
		return fmt.Sprintf("%s is %q in %s", c.Key, c.New, c.Via)
	case c.Old == "":
		return fmt.Sprintf("%s set to %q (none before) through %s", c.Key, c.New, c.Via)
	case c.New == "":
		return fmt.Sprintf("%s %q cleared through %s", c.Key, c.Old, c.Via)
	}
	return fmt.Sprintf("%s changed from %q to %q through %s", c.Key, c.Old, c.New, c.Via)
}

// Record makes rec the Store's recorder: it gets every Change of a
// Recorded setting after the file holds it, in the order they were made,
// first those made before Record was called (the command line's
// --login-url is stored before the audit trail is open). It is called with
// the Store's write lock held, so it must not change settings itself.
func (s *Store) Record(rec func(Change)) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.evidence.rec = rec
	pending := s.evidence.pending
	s.evidence.pending = nil
	for _, c := range pending {
		rec(c)
	}
}

// evidence holds the recorder, and the changes made before there was one.
type evidence struct {
	rec     func(Change)
	pending []Change
}

// add hands changes to the recorder, or keeps them until there is one.
func (e *evidence) add(changes []Change) {
	if e.rec == nil {
		e.pending = append(e.pending, changes...)
		return
	}
	for _, c := range changes {
		e.rec(c)
	}
}

// diff returns the changes of Recorded keys that next (checked values,
// canonical keys) makes to cur, in Recorded's order; a value that stays
// the same is none.
func diff(cur, next map[string]any, via Via) []Change {
	var out []Change
	for _, k := range Recorded {
		v, ok := next[k]
		if !ok {
			continue
		}
		old, now := text(cur[k]), text(v)
		if old != now {
			out = append(out, Change{Key: k, Old: old, New: now, Via: via})
		}
	}
	return out
}

// text is a setting's value as String reads it ("" for none).
func text(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s)
	}
	return fmt.Sprint(v)
}
