// Package user holds who is signed in: the profile an identity provider (or
// an unlocked offline vault) vouches for, and the container's "user service"
// dictionary that hosted pages read through /pmapi/user.
package user

import "time"

// Profile is what a successful sign-in proves about a person. It is cached in
// the offline vault so that an offline login can restore the same user
// service an online login produced.
type Profile struct {
	Username string   `json:"username"`
	Name     string   `json:"name,omitempty"`
	Email    string   `json:"email,omitempty"`
	Roles    []string `json:"roles,omitempty"`
	// Groups are the provider's groups claim, kept apart from Roles:
	// a signature clause {group:X} compares these, {role:X} Roles. A
	// vault sealed before groups were kept has none.
	Groups          []string  `json:"groups,omitempty"`
	IdP             string    `json:"idp,omitempty"`
	AuthenticatedAt time.Time `json:"authenticated_at"`
}

// Method says how a person proved who they are.
type Method string

const (
	// Online means a fresh login at the organisation's identity provider.
	Online Method = "online"
	// Offline means the offline password opened the local vault.
	Offline Method = "offline"
)
