package signature

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
)

// Template returns the template named name (getSignatureTemplate).
func (e *Engine) Template(ctx context.Context, name string) (Template, error) {
	t, err := e.o.Store.Template(ctx, name)
	if errors.Is(err, ErrNoTemplate) {
		return Template{}, fault.Detail(ErrNoTemplate, "%q", name)
	}
	return t, err
}

// Templates lists the templates.
func (e *Engine) Templates(ctx context.Context) ([]Template, error) { return e.o.Store.Templates(ctx) }

// PutTemplate checks t and stores it, replacing one of the same name,
// together with its "stored" entry, which carries the Hash of t as the
// store now holds it (what a request queued from it keeps). The two are
// committed in one transaction or not at all: a template changed with no
// entry would be a change nobody could detect, and at a plant's database
// another station could queue from the new version before the trail had
// it. On an error the template is as it was (or, for a connection lost
// while the COMMIT was under way, changed with its entry: never one
// without the other).
func (e *Engine) PutTemplate(ctx context.Context, t Template) error {
	if err := ValidateTemplate(t); err != nil {
		return err
	}
	_, err := e.o.Store.PutTemplateAudited(ctx, t, func(stored Template) []audit.Entry {
		return []audit.Entry{e.stamp(ctx, audit.Entry{Event: audit.EventTemplate, Template: t.Name, Detail: "stored", Content: stored.Hash()})}
	})
	if err != nil {
		return fmt.Errorf("store template %q: %w", t.Name, err)
	}
	return nil
}

// Hash is the TemplateHash of t as a request queued from it keeps it
// (its JSON, Request.RulesJSON), and as its "stored" entry carries it.
func (t Template) Hash() string {
	rules, err := json.Marshal(t)
	if err != nil {
		return ""
	}
	return TemplateHash(string(rules))
}

// RecordSetting writes to the trail that a setting a signature depends
// on changed (audit.EventSetting): detail says from what to what and
// through what, never a secret; the actor is ActingAs's. An "openid"
// signature is verified by the login_url of its time, so the trail must
// say when and by whom that changed. Its error is returned: the caller
// decides how loudly to say it.
func (e *Engine) RecordSetting(ctx context.Context, detail string) error {
	if _, err := e.o.Store.AppendAudit(ctx, e.stamp(ctx, audit.Entry{Event: audit.EventSetting, Detail: detail})); err != nil {
		return fmt.Errorf("record a change of the settings: %w", err)
	}
	return nil
}

// RecordAlert writes an alert (audit.EventAlert) that no challenge
// raised into the trail: detail says what is wrong, in words; the actor
// is ActingAs's. Every station on the store shows it (alert.Follow).
func (e *Engine) RecordAlert(ctx context.Context, detail string) error {
	if _, err := e.o.Store.AppendAudit(ctx, e.stamp(ctx, audit.Entry{Event: audit.EventAlert, Detail: detail})); err != nil {
		return fmt.Errorf("record an alert: %w", err)
	}
	return nil
}

// DeleteTemplate removes a template together with its "removed" entry,
// which names it as it was stored, in one transaction, for the reasons
// PutTemplate gives. On an error the template is still there (as
// PutTemplate's); ErrNoTemplate means there was none.
func (e *Engine) DeleteTemplate(ctx context.Context, name string) error {
	_, err := e.o.Store.DeleteTemplateAudited(ctx, name, func(removed Template) []audit.Entry {
		return []audit.Entry{e.stamp(ctx, audit.Entry{Event: audit.EventTemplate, Template: removed.Name, Detail: "removed"})}
	})
	if errors.Is(err, ErrNoTemplate) {
		return fault.Detail(ErrNoTemplate, "%q", name)
	}
	if err != nil {
		return fmt.Errorf("remove template %q: %w", name, err)
	}
	return nil
}
