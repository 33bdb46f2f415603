// Package alert reports the misuse of signatures that the signature
// engine sees: a signer locked out, repeated failed attempts at one slot.
// An alert is an audit entry of event audit.EventAlert, written by the
// station that saw it (its Detail says what happened and who; UserID names
// who when known), and so it reaches every station on the store and every
// reader of the trail. From there:
//
//   - Follow polls a trail for alerts appended since a point, so every
//     station shows each one in its chrome (Notices), and `loginshell
//     audit alerts --follow` prints them;
//   - Command runs the alert_command setting of the station that raised
//     the alert, with the entry as JSON on its stdin.
//
// Neither ever holds up a signature: the engine hands an alert to Command
// and goes on, and followers read the trail on their own time.
package alert

import (
	"context"
	"math"
	"strings"
	"time"

	"loginshell/internal/audit"
)

// Trail is where alerts are read: a signature store, whose AuditEvents
// gives the entries of one event appended after a Seq, and the Seq of the
// trail's end.
type Trail interface {
	AuditEvents(ctx context.Context, event string, after int64, fn func(audit.Entry) error) (int64, error)
}

// Head returns the Seq of trail's last entry: Follow from it hears only the
// alerts raised from now on.
func Head(ctx context.Context, trail Trail) (int64, error) {
	return trail.AuditEvents(ctx, audit.EventAlert, math.MaxInt64, func(audit.Entry) error { return nil })
}

// Follow calls found with every alert of trail appended after Seq after,
// in order, and then with each new one, reading trail every every, until
// ctx ends; it returns nil then. A read that fails is handed to failed
// (nil: ignored) and tried again at the next poll, from the same point, so
// no alert is skipped or heard twice. found and failed run on Follow's
// goroutine and hold up the next poll while they run.
func Follow(ctx context.Context, trail Trail, after int64, every time.Duration, found func(audit.Entry), failed func(error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		last, err := trail.AuditEvents(ctx, audit.EventAlert, after, func(e audit.Entry) error {
			found(e)
			after = e.Seq
			return nil
		})
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			if failed != nil {
				failed(err)
			}
		default:
			after = max(after, last)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Notice is the text of an alert in the chrome's notice: one line a
// person reads, where and what. Detail is safe to show (the engine writes
// no password or token into the trail), its line breaks are folded.
func Notice(e audit.Entry) string {
	detail := strings.Join(strings.Fields(e.Detail), " ")
	if e.Station == "" {
		return "Signature alert: " + detail
	}
	return "Signature alert at " + e.Station + ": " + detail
}
