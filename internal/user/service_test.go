package user

import (
	"reflect"
	"testing"
	"time"
)

func TestServiceSignInFillsDictionary(t *testing.T) {
	t.Parallel()
	s := NewService()
	if _, _, ok := s.Current(); ok {
		t.Fatal("a new service has somebody signed in")
	}
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	s.SignIn(Profile{Username: "op", Name: "Olga", Roles: []string{"Operator"}, Groups: []string{"Line 4"}, AuthenticatedAt: at}, Online)
	tests := []struct {
		key  string
		want any
	}{
		{"username", "op"},
		{"name", "Olga"},
		{"isauthenticated", true},
		{"method", "online"},
		{"authenticated_at", "2026-11-23T08:00:00Z"},
	}
	for _, tt := range tests {
		if got, ok := s.Get(tt.key); !ok || got != tt.want {
			t.Errorf("Get(%q) = %v, %v; want %v", tt.key, got, ok, tt.want)
		}
	}
	// Roles and groups, each as the provider said it (issue 21.9).
	for key, want := range map[string][]string{"roles": {"Operator"}, "groups": {"Line 4"}} {
		if got, _ := s.Get(key); !reflect.DeepEqual(got, want) {
			t.Errorf("Get(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestServiceDictionaryIsSeparateFromSignIn(t *testing.T) {
	t.Parallel()
	s := NewService()
	s.SignIn(Profile{Username: "op"}, Offline)
	s.Replace(map[string]any{"custom": 1})
	if _, ok := s.Get("username"); ok {
		t.Error("Replace kept an old key")
	}
	if p, m, ok := s.Current(); !ok || p.Username != "op" || m != Offline {
		t.Errorf("Replace changed the sign-in: %v %v %v", p, m, ok)
	}
	s.Clear()
	if len(s.All()) != 0 {
		t.Error("Clear left keys behind")
	}
	s.SignOut()
	if _, _, ok := s.Current(); ok {
		t.Error("SignOut left somebody signed in")
	}
}
