// Package connectivity reports the device's connectivity the way the
// mobile container did (/pmapi/connectivity): a JSON array of the states
// that hold now, drawn from Offline, Internet, Online, Authenticated and
// OfflineAuthenticated.
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

// Reporter decides the states.
type Reporter struct {
	// Reachable says whether the login server answers; the shell counts
	// that as being online (a plant network may have no Internet at all).
	Reachable func(ctx context.Context) bool
	// ForceOffline reports Offline whatever the network says (--offline).
	ForceOffline bool
	Users        *user.Service
}

// Online reports whether the login server answers now.
func (r *Reporter) Online(ctx context.Context) bool {
	return !r.ForceOffline && r.Reachable != nil && r.Reachable(ctx)
}

// States returns the states that hold now.
func (r *Reporter) States(ctx context.Context) []string {
	var out []string
	if r.Online(ctx) {
		out = append(out, Internet, Online)
	} else {
		out = append(out, Offline)
	}
	if r.Users != nil {
		if _, m, ok := r.Users.Current(); ok {
			if m == user.Offline {
				out = append(out, OfflineAuthenticated)
			} else {
				out = append(out, Authenticated)
			}
		}
	}
	return out
}
