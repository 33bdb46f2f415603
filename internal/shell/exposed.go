package shell

import (
	"context"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// ErrNoPageBehind refuses a report of a page behind a sign-in page while
// no sign-in page is shown over a page.
var ErrNoPageBehind = fault.New(fault.NotFound, "no sign-in page is shown over a page now")

// SignInExposed records that the chrome closed the page behind the
// sign-in page shown now (screen.View.Over) because that page took the
// keyboard: keys typed into the sign-in page may have reached it (whole:
// for long enough for a whole password). The trail gets an alert naming
// the page behind and the sign-in page as the screen shows them, not as
// the caller says; a shell without signatures has no trail, and only
// logs it. Only the chrome calls it: the window's binding, the browser
// mode's key-guarded endpoint; a page reaches neither.
func (s *Shell) SignInExposed(ctx context.Context, whole bool) error {
	over, behind, pkg, ok := s.Screen.Behind()
	if !ok {
		return ErrNoPageBehind
	}
	x := signature.SignInExposure{Package: pkg, Page: behind.Page, SignIn: over.URL, Whole: whole}
	if over.User != nil {
		x.UserID = over.User.Username
	}
	if s.Signatures == nil {
		s.Log.Warn("the page behind a sign-in page took the keyboard and was closed", "package", pkg, "page", behind.Page, "whole", whole)
		return nil
	}
	s.Signatures.SignInExposed(ctx, x)
	return nil
}
