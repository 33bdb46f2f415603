package app

// Configurer stores the login server a person typed into the error view
// and signs in again; *shell.Shell is one (shell.Shell.Configure). Refusals
// wrap loginurl.ErrInvalid or auth.ErrInProgress, whose text is shown (see
// shown); any other error is logged and hidden.
type Configurer interface {
	Configure(loginURL string) error
}

// msgNoConfigure answers Configure on a window that was given no Configurer.
const msgNoConfigure = "This window cannot set the login server; start loginshell with --login-url URL."

// SetConfigurer lets the error view set the login server (Configure).
// Without one, Configure refuses.
func (s *Shell) SetConfigurer(c Configurer) {
	s.mu.Lock()
	s.configurer = c
	s.mu.Unlock()
}

// Configure sets the login server (the login_url setting) from the error
// view the boot flow shows when none is set, then signs in again: the new
// view arrives as a ViewEvent. A refused address answers the rule it
// breaks; a sign-in in progress is not interrupted.
func (s *Shell) Configure(loginURL string) Result {
	s.mu.Lock()
	c := s.configurer
	s.mu.Unlock()
	if c == nil {
		return Result{Error: msgNoConfigure}
	}
	err := c.Configure(loginURL)
	if err != nil {
		s.log.Warn("login server not set", "err", err)
	}
	return result(err)
}
