package signature

import (
	"context"
	"strings"
	"sync"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/user"
)

// Interactive proves who signs at an identity provider's own sign-in page
// (OpenID Connect): the page is shown with show, in the shell's signature
// dialog, and who signed in comes back. With force, the provider must ask
// for the password now (prompt=login, max_age=0). *online.Provider is one.
// It never changes who is signed in to the shell.
type Interactive interface {
	SignIn(ctx context.Context, force bool, show func(ctx context.Context, url string) error) (user.Profile, error)
}

// triggerInteractive posts a challenge whose dialog shows the provider's
// page, and returns once it is posted. The sign-in runs on: its outcome
// (signed, refused, cancelled from the dialog, timed out after the
// template's timeout) reaches the page and the audit trail like an
// answered dialog's.
func (e *Engine) triggerInteractive(ctx context.Context, p Interactive, t Template, c Challenge) error {
	if f := t.FramingMode(); f != FramingEmbedded {
		return fault.Detail(ErrUnsupported, "template %q frames the sign-in %q; this shell shows a provider's sign-in inside its dialog (embedded) only", t.Name, f)
	}
	if t.RequireComment {
		return fault.Detail(ErrUnsupported, "template %q requires a comment, which a sign-in at the provider's page cannot take", t.Name)
	}
	run, cancel := context.WithTimeout(context.Background(), t.TimeoutDuration())
	posted := make(chan error, 1)
	var once sync.Once
	show := func(_ context.Context, url string) error {
		shown := c
		shown.URL = url
		err := e.o.Poster.Post(c.Session, c.Page, shown)
		if err == nil {
			e.mu.Lock()
			e.challenges[c.ID] = &open{c: shown, cancel: cancel}
			e.mu.Unlock()
		}
		once.Do(func() { posted <- err })
		return err
	}
	go func() {
		defer cancel()
		prof, err := p.SignIn(run, t.Force, show)
		once.Do(func() { posted <- err }) // failed before the page was shown
		if _, open := e.peek(c.ID); !open {
			return // dismissed (Cancel, Escape): already reported
		}
		bg := context.Background()
		if err != nil {
			e.take(c.ID)
			e.o.Poster.Close(c.ID)
			event := audit.EventFailure
			if run.Err() == context.DeadlineExceeded {
				e.audit(bg, e.entry(c, audit.EventTimeout, Signer{}, "", "the sign-in timed out"))
				e.publish(e.outcome(c, OutcomeError, Signer{}, "", "The sign-in timed out; the request is still pending."))
				return
			}
			_, _ = e.fail(bg, c, event, Signer{}, err)
			return
		}
		signer := Signer{UserID: prof.Username, PrintedName: prof.Name, Roles: prof.Roles, Groups: prof.Groups}
		if signer.PrintedName == "" {
			signer.PrintedName = signer.UserID
		}
		e.audit(bg, e.entry(c, audit.EventAttempt, Signer{UserID: signer.UserID}, "", "signed in at the identity provider"))
		// sign ends the challenge when it counts; a refusal (a person the
		// slot does not admit, a second slot of one person) ends this
		// sign-in at the provider too.
		_, req, err := e.o.Store.Slot(bg, c.Slot)
		if err != nil {
			e.take(c.ID)
			e.o.Poster.Close(c.ID)
			_, _ = e.fail(bg, c, audit.EventFailure, signer, err)
			return
		}
		_, _ = e.sign(bg, c, t, req, signer, "")
		if _, open := e.take(c.ID); open {
			e.o.Poster.Close(c.ID)
		}
	}()
	select {
	case err := <-posted:
		if err != nil {
			cancel()
			if fault.KindOf(err) == fault.Unavailable {
				// Offline, or the login server does not answer: say what the
				// template needs, not how the network failed.
				return fault.Explain(ErrNotPosted, "Could not post authorization challenge: %s", needsServerWords(t.Name, t.Provider()))
			}
			if fault.KindOf(err) == fault.Internal || !strings.Contains(err.Error(), ErrNotPosted.Error()) {
				return fault.Explain(ErrNotPosted, "Could not post authorization challenge: %v", err)
			}
			return err
		}
	case <-ctx.Done():
		cancel()
		return ctx.Err()
	}
	return nil
}
