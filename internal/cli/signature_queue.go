package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/fault"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
)

// runQueue is `signature queue`: Parse → Validate → Execute (queue, then
// wait) → Render.
func runQueue(ctx context.Context, e *env, args []string) error {
	var dataDir, store, template, name, description, timeout, recordFile, addressed string
	var waitFlag bool
	fs := e.signatureFlags("queue", &dataDir, &store)
	fs.StringVar(&template, "template", "", "the signature template's name (required)")
	fs.StringVar(&name, "name", "", "the request's name, as pages list it (required)")
	fs.StringVar(&description, "description", "", "what is being approved, as the signers read it")
	fs.StringVar(&recordFile, "record", "", "a file holding the record the request signs: a JSON object or a JSON string (the signers see it; its hash is in the audit trail)")
	fs.StringVar(&addressed, "to", "", "route the request to the pages of this package only (default: every package's pages may list it)")
	fs.BoolVar(&waitFlag, "wait", false, "wait for the outcome: exit 0 approved, 1 rejected, 3 cancelled, timed out or failed")
	fs.StringVar(&timeout, "timeout", "0", "with --wait: give up after this long (90s, 10m; 0 waits until the outcome)")
	if help, err := e.parseSignature(fs, "queue", args); help || err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return e.signatureUsage("queue", "unexpected argument %q", fs.Arg(0))
	case template == "":
		return e.signatureUsage("queue", "name the template (--template NAME)")
	case name == "":
		return e.signatureUsage("queue", "name the request (--name NAME)")
	}
	limit, err := parseDuration(timeout)
	if err != nil || limit < 0 {
		return e.signatureUsage("queue", "--timeout %q: use a duration such as 90s or 10m", timeout)
	}
	// With --wait every failure is exit status 3, so that 1 means rejected
	// and nothing else.
	failed := func(err error) error {
		if !waitFlag {
			return err
		}
		fmt.Fprintln(e.stderr, "loginshell signature queue:", err)
		return exitCode(exitWaitFail)
	}

	var record []byte
	if recordFile != "" {
		if record, err = readFile(recordFile); err != nil {
			return e.signatureUsage("queue", "--record: %v", err)
		}
	}
	eng, db, err := e.signatureEngine(dataDir, store)
	if err != nil {
		return failed(err)
	}
	defer db.Close()
	ctx = signature.ActingAs(ctx, shell.OSActor())
	// No page of this station waits for the outcome: the session is empty.
	ids, err := eng.Queue(ctx, signature.Queuing{Template: template, Name: name, Description: description,
		Record: string(record), AddressedTo: addressed})
	if err != nil {
		return failed(err)
	}
	for _, id := range ids {
		fmt.Fprintln(e.stdout, id)
	}
	if !waitFlag {
		return nil
	}
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	req, err := wait(ctx, db, ids[0], e.poll)
	if err != nil {
		return failed(fmt.Errorf("request %s: %w", req.ID, err))
	}
	if !req.SettledAs(req.State) {
		// A state a database administrator set without the signatures
		// that settle it is no outcome.
		return failed(fmt.Errorf("request %s (%q) is %s in the store, but its signatures do not settle it so: the store may have been changed below loginshell (run loginshell audit verify)",
			req.ID, req.Name, req.State))
	}
	return exitCode(render(e.stdout, req)).orNil()
}

// slotReader is what wait needs of a store: the request of a slot (and,
// when the store is a signature.Watcher, its notices).
type slotReader interface {
	Slot(ctx context.Context, id uuid.UUID) (signature.Slot, signature.Request, error)
}

// wait reads the request of slot until it is no longer pending and returns
// it: approved, rejected or cancelled. It reads every poll, and at once
// when a Watcher store hears another station change the request (any
// request until the first read names it: a plant's other changes do not
// wake it). A
// database that does not answer is waited for; ctx ending returns the
// request as last read with ctx's error (and the database's, if it did not
// answer at the end).
func wait(ctx context.Context, db slotReader, slot uuid.UUID, poll time.Duration) (signature.Request, error) {
	wake := make(chan struct{}, 1)
	var mine atomic.Pointer[uuid.UUID] // the request, once read
	if w, ok := db.(signature.Watcher); ok {
		wctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = w.Watch(wctx, func(c signature.Change) {
				if id := mine.Load(); id != nil && c.Request != uuid.Nil && c.Request != *id {
					return
				}
				select {
				case wake <- struct{}{}:
				default:
				}
			})
		}()
		defer func() { stop(); <-done }()
	}
	var req signature.Request
	for {
		_, r, err := db.Slot(ctx, slot)
		switch {
		case err == nil:
			req = r
			mine.Store(&r.ID)
			if r.State != signature.Pending {
				return r, nil
			}
		case ctx.Err() != nil:
		case fault.KindOf(err) != fault.Unavailable:
			return req, err
		}
		var lastErr error
		if err != nil && ctx.Err() == nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return req, errors.Join(errors.New("no outcome before the timeout; the request is still pending"), lastErr)
			}
			return req, errors.Join(ctx.Err(), lastErr)
		case <-wake:
		case <-time.After(poll):
		}
	}
}

// render prints the outcome and who signed each slot, and returns the
// exit status it stands for.
func render(w io.Writer, r signature.Request) int {
	code := exitWaitFail
	switch r.State {
	case signature.Approved:
		code = exitApproved
	case signature.Rejected:
		code = exitRejected
	}
	fmt.Fprintf(w, "%s: %q (request %s)\n", r.State, r.Name, r.ID)
	for _, s := range r.Slots {
		fmt.Fprintf(w, "slot %d %s: ", s.Index+1, s.Clause)
		sig := s.Signature
		if sig == nil {
			fmt.Fprintln(w, "not signed")
			continue
		}
		verdict := "approved"
		if !sig.Approve {
			verdict = "rejected"
		}
		fmt.Fprintf(w, "%s by %s (user ID %s) at %s, meaning %q", verdict, sig.Signer.PrintedName, sig.Signer.UserID,
			sig.SignedAt.UTC().Format(time.RFC3339), sig.Meaning)
		if sig.Comment != "" {
			fmt.Fprintf(w, ", comment %q", sig.Comment)
		}
		if sig.Station != "" {
			fmt.Fprintf(w, ", at station %s", sig.Station)
		}
		fmt.Fprintln(w)
	}
	return code
}
