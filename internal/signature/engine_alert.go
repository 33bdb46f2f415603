package signature

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/lockout"
)

// DefaultAlertAfter is the default of Options.AlertAfter: three failed
// attempts in a row at one slot are more than a mistyped password.
const DefaultAlertAfter = 3

// Alerter hears of each alert the engine raised (internal/alert's
// Command, which runs the station's alert_command), after its audit entry
// was written: the entry as sealed. Alert must return at once; it runs
// under the signer's answer.
type Alerter interface {
	Alert(e audit.Entry)
}

// misuse counts a failed attempt at c's slot by who (the identity
// refused them, or the slot does not admit them) and raises the alerts it
// calls for: one when err says that this attempt locked who out, one at
// every Options.AlertAfter-th failed attempt in a row at the slot (3, 6,
// 9, ... by default; counted at this station across the slot's
// challenges: triggering it again does not start the count again). A
// signature of the slot, or the end of its request here, ends its count.
func (e *Engine) misuse(ctx context.Context, c Challenge, t Template, who Signer, err error) {
	name := who.UserID
	if name == "" {
		name = "an unknown user ID"
	}
	// A lockout already in force was raised when it began (if a signature
	// began it); the attempts it refuses count below.
	if locked := lockout.Of(err); locked != nil && fault.KindOf(err) != fault.Locked {
		e.raise(ctx, c, who, fmt.Sprintf("%s is locked out at the identity provider %q after repeated wrong passwords: %s",
			name, t.Provider(), fault.Text(locked)))
	}
	e.mu.Lock()
	f := e.failures[c.Slot]
	first := len(e.failures) == 0
	f.request, f.n = c.Request, f.n+1
	e.failures[c.Slot] = f
	n := f.n
	e.mu.Unlock()
	if first {
		// A change elsewhere may end the count: hear every change
		// while one runs (hears).
		e.retune(false)
	}
	if n%e.o.AlertAfter == 0 {
		e.raise(ctx, c, who, fmt.Sprintf("%d failed sign-in attempts in a row at the signature of %s for %q; the last as %s",
			n, ClauseWords(c.Clause), c.RequestName, name))
	}
}

// forgetFailures ends the count of failed attempts at a slot (signed, or
// its request cancelled).
func (e *Engine) forgetFailures(slot uuid.UUID) {
	e.mu.Lock()
	_, counted := e.failures[slot]
	delete(e.failures, slot)
	last := counted && len(e.failures) == 0
	e.mu.Unlock()
	if last {
		e.retune(false)
	}
}

// raise writes an alert about c's slot into the trail (audit.EventAlert:
// Detail says what happened and who, UserID names who when known), logs
// it as a warning and hands it to the Alerter. Every station on the store
// shows it from the trail (alert.Follow). A trail that cannot be written
// is logged, and the Alerter still hears of the alert.
func (e *Engine) raise(ctx context.Context, c Challenge, who Signer, detail string) {
	e.alert(ctx, audit.Entry{Event: audit.EventAlert, Request: c.Request.String(), RequestName: c.RequestName, Slot: c.Slot.String(),
		Template: c.Template, UserID: who.UserID, PrintedName: who.PrintedName, Detail: detail, IdP: c.IdP, Content: c.Content})
}

// alert writes en, an alert, into the trail, logs it and hands it to the
// Alerter (raise); the alerts of no challenge come here directly.
func (e *Engine) alert(ctx context.Context, en audit.Entry) {
	en = e.stamp(ctx, en)
	detail := en.Detail
	if sealed, err := e.o.Store.AppendAudit(ctx, en); err != nil {
		e.o.Log.Error("audit trail not written", "event", en.Event, "request", en.Request, "err", err)
	} else {
		en = sealed
	}
	e.o.Log.Warn("signature alert: "+readable(detail), "event", audit.EventAlert, "user", en.UserID, "request", en.Request, "slot", en.Slot, "seq", en.Seq)
	if e.o.Alerts != nil {
		e.o.Alerts.Alert(en)
	}
}

// readable is an alert's detail as the log shows it to a person. The
// detail names packages, requests and providers in Go's quotes (%q), and
// a log line's own quoting would escape each of them (package \"hostile\");
// the log shows them in the quotes a person reads (package “hostile”),
// which no log line escapes. A quote escaped within a name stays as %q
// left it. What must not be logged is still masked on the way out (the
// shell's log goes through internal/redact).
func readable(detail string) string {
	var b strings.Builder
	open, escaped := false, false
	for _, r := range detail {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && open:
			escaped = true
		case r == '"':
			open = !open
			if open {
				r = '“'
			} else {
				r = '”'
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
