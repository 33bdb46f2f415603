package connectivity

import (
	"context"
	"slices"
	"testing"

	"loginshell/internal/user"
)

func TestStates(t *testing.T) {
	t.Parallel()
	up := func(context.Context) bool { return true }
	down := func(context.Context) bool { return false }
	tests := []struct {
		name   string
		r      Reporter
		signIn user.Method
		want   []string
	}{
		{"the login server answers", Reporter{Reachable: up}, "", []string{Internet, Online}},
		{"the login server is down", Reporter{Reachable: down}, "", []string{Offline}},
		{"forced offline wins over a reachable server", Reporter{Reachable: up, ForceOffline: true}, "", []string{Offline}},
		{"no login server configured", Reporter{}, "", []string{Offline}},
		{"signed in online", Reporter{Reachable: up}, user.Online, []string{Internet, Online, Authenticated}},
		{"signed in offline", Reporter{Reachable: down}, user.Offline, []string{Offline, OfflineAuthenticated}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := user.NewService()
			if tt.signIn != "" {
				u.SignIn(user.Profile{Username: "op"}, tt.signIn)
			}
			tt.r.Users = u
			if got := tt.r.States(context.Background()); !slices.Equal(got, tt.want) {
				t.Errorf("States = %v, want %v", got, tt.want)
			}
		})
	}
}
