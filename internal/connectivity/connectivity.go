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
