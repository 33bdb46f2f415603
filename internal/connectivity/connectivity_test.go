package connectivity

import (
	"slices"
	"testing"

	"loginshell/internal/user"
)

func TestStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		online bool
		signIn user.Method // "" for nobody
		noUser bool        // no user service at all
		want   []string
	}{
		{"the login server answers", true, "", false, []string{Internet, Online}},
		{"the login server is down", false, "", false, []string{Offline}},
		{"no user service", true, "", true, []string{Internet, Online}},
		{"signed in online", true, user.Online, false, []string{Internet, Online, Authenticated}},
		{"signed in offline", false, user.Offline, false, []string{Offline, OfflineAuthenticated}},
		{"signed in online while the server is now down", false, user.Online, false, []string{Offline, Authenticated}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var u *user.Service
			if !tt.noUser {
				u = user.NewService()
				if tt.signIn != "" {
					u.SignIn(user.Profile{Username: "op"}, tt.signIn)
				}
			}
			if got := States(tt.online, u); !slices.Equal(got, tt.want) {
				t.Errorf("States = %v, want %v", got, tt.want)
			}
		})
	}
}
