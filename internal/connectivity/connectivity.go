// Package connectivity reports the device's connectivity the way the
// mobile container did (/pmapi/connectivity): a JSON array of the states
// that hold now, drawn from Offline, Internet, Online, Authenticated and
// OfflineAuthenticated.
//
// "Online" means the login server answers, not that the Internet does: a
// plant network may have no Internet at all. A Monitor finds that out in
// the background and readers take its last answer, so no screen change or
// API request waits on the network.
package connectivity

import (
	"context"

	"loginshell/internal/user"
)

// States that may appear in a report.
const (
	Offline              = "Offline"
	Internet             = "Internet"
	Online               = "Online"
	Authenticated        = "Authenticated"
	OfflineAuthenticated = "OfflineAuthenticated"
)

// States returns the report for a login server that is (online) or is not
// reachable and the person signed in to users, in the container's order:
// Internet and Online, or Offline; then Authenticated or
// OfflineAuthenticated when someone is signed in. users may be nil (nobody
// is signed in). It does no I/O: online is the caller's last known answer,
// normally Monitor.Online.
func States(online bool, users *user.Service) []string {
	var out []string
	if online {
		out = append(out, Internet, Online)
	} else {
		out = append(out, Offline)
	}
	if users != nil {
		if _, m, ok := users.Current(); ok {
			if m == user.Offline {
				out = append(out, OfflineAuthenticated)
			} else {
				out = append(out, Authenticated)
			}
		}
	}
	return out
}

// Reporter decides the states by probing the login server on every call.
//
// Deprecated: a read waits on the network (and, through a caller holding a
// lock, so does everything behind it). Use Monitor: Monitor.Online for the
// status bar, Monitor.States for /pmapi/connectivity, Monitor.Check for the
// sign-in decision. Reporter is kept only until the shell is rewired.
type Reporter struct {
	// Reachable says whether the login server answers; the shell counts
	// that as being online (a plant network may have no Internet at all).
	Reachable func(ctx context.Context) bool
	// ForceOffline reports Offline whatever the network says (--offline).
	ForceOffline bool
	Users        *user.Service
}

// Online reports whether the login server answers now.
//
// Deprecated: use Monitor.Online.
func (r *Reporter) Online(ctx context.Context) bool {
	return !r.ForceOffline && r.Reachable != nil && r.Reachable(ctx)
}

// States returns the states that hold now.
//
// Deprecated: use Monitor.States.
func (r *Reporter) States(ctx context.Context) []string {
	return States(r.Online(ctx), r.Users)
}
