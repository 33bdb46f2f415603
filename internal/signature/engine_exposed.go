// Keys that may have reached a page: the shell's dialog closed the page
// behind it because that page took the keyboard while the signer typed
// (frontend/src/pageguard.ts). Keys a page got cannot be called back; the
// trail keeps the evidence, and whoever watches the alerts hears of it.

package signature

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
)

// Exposure is what the dialog reports of a page it closed because that
// page took the keyboard.
type Exposure struct {
	// UserID is what the dialog's User ID field held, as typed (it may be
	// cut short); kept only when it names a known user, as an attempt's.
	UserID string `json:"userId"`
	// Field is the dialog's field that had the keyboard when the page took
	// it: one of ExposedFields.
	Field string `json:"field"`
	// Whole: the keyboard may have been away long enough for a whole
	// password (the dialog told the signer to change it); else a few keys
	// at most.
	Whole bool `json:"whole"`
}

// ExposedFields are the dialog's fields an Exposure may name ("": none
// had the keyboard), and how the trail says where the signer typed.
var ExposedFields = map[string]string{
	"user":     ", typing the User ID",
	"password": ", typing the password",
	"comment":  ", typing the comment",
	"phrase":   ", typing the station's signing phrase",
	"":         "",
}

// ErrBadExposure refuses an Exposure naming a field the dialog lacks.
var ErrBadExposure = fault.New(fault.Invalid, "the field must be user, password, comment, phrase or empty")

// maxTypedID bounds the user ID an Exposure may carry into the trail.
const maxTypedID = 256

// Exposed raises an alert (audit.EventAlert) about the open challenge id:
// the page that asked for it took the keyboard while its dialog was open,
// the shell closed that page, and keys the signer typed may have reached
// it. The challenge stays open: the signer types again.
func (e *Engine) Exposed(ctx context.Context, id string, x Exposure) error {
	c, ok := e.peek(id)
	if !ok {
		return ErrNoOpenChallenge
	}
	field, ok := ExposedFields[x.Field]
	if !ok {
		return ErrBadExposure
	}
	who := Signer{}
	if typed := strings.TrimSpace(x.UserID); typed != "" && len(typed) <= maxTypedID {
		if _, req, err := e.o.Store.Slot(ctx, c.Slot); err == nil {
			if t, err := e.rules(ctx, req); err == nil {
				if identity := e.o.Identities[strings.ToLower(t.Provider())]; identity != nil {
					who = known(identity, typed).Signer
				}
			}
		}
	}
	name := who.UserID
	if name == "" {
		name = "a signer whose user ID is not known"
	}
	page := fmt.Sprintf("the page of package %q (%s)", c.By, c.Page)
	if c.By == Plant {
		page = fmt.Sprintf("the plant's own page (%s)", c.Page)
	}
	what := "a few keys typed at that moment may have reached it"
	if x.Whole {
		what = "the keyboard may have been away long enough for a whole password to reach it; the signer was told to change it"
	}
	e.raise(ctx, c, who, fmt.Sprintf("%s took the keyboard while %s was at the signature dialog for %q%s; the shell closed the page, and %s",
		page, name, c.RequestName, field, what))
	return nil
}

// SignInExposure is what the shell knows of a page the chrome closed
// because that page took the keyboard while a sign-in page was shown over
// it (the identity provider's, or the offline sign-in's: screen.View
// Over). No challenge is open; the person was typing into the sign-in
// page, whose fields are on another origin, so the chrome cannot tell
// which field had the keyboard, nor void what it holds.
type SignInExposure struct {
	// Package is the package of the page behind, Page its name
	// (screen.View.Page); "" where not known.
	Package, Page string
	// SignIn is the address of the sign-in page; only its scheme, host
	// and path go into the trail (its query holds the flow's state).
	SignIn string
	// UserID is who is signed in at the station, "" for nobody: the one
	// typing may be someone else, signing in.
	UserID string
	// Whole: the keyboard may have been away long enough for a whole
	// password (the person was told to change it); else a few keys at most.
	Whole bool
}

// SignInExposed raises an alert (audit.EventAlert) of no challenge: the
// page behind a sign-in page took the keyboard, the shell closed it, and
// keys typed into the sign-in page may have reached it.
func (e *Engine) SignInExposed(ctx context.Context, x SignInExposure) {
	page := "a page of no known package"
	if x.Package != "" {
		page = fmt.Sprintf("the page of package %q", x.Package)
	}
	if x.Page != "" {
		page += " (" + x.Page + ")"
	}
	who := "nobody was signed in"
	if x.UserID != "" {
		who = x.UserID + " was signed in"
	}
	what := "a few keys typed at that moment may have reached it"
	if x.Whole {
		what = "the keyboard may have been away long enough for a whole password to reach it; the person was told to change it"
	}
	e.alert(ctx, audit.Entry{Event: audit.EventAlert, UserID: x.UserID, Detail: fmt.Sprintf(
		"%s took the keyboard while a sign-in page (%s) was shown over it and %s; the shell closed the page, and %s",
		page, addressOnly(x.SignIn), who, what)})
}

// addressOnly is u without its user info, query and fragment (the state
// of a sign-in flow, a token): what a trail may keep of a sign-in page.
func addressOnly(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" && p.Path == "" {
		return "an address that could not be read"
	}
	return (&url.URL{Scheme: p.Scheme, Host: p.Host, Path: p.Path}).String()
}
