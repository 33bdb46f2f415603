package settings

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestStorePersistsAndReloads(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("server_url", "https://idp.example"); err != nil {
		t.Fatal(err)
	}
	if err := s.Merge(map[string]any{"scopes": []any{"openid", "email"}, "login_timeout": 90.0}); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.String(LoginURL); got != "https://idp.example" {
		t.Errorf("login_url after reload = %q (server_url is its alias)", got)
	}
	if got := again.List(Scopes); !slices.Equal(got, []string{"openid", "email"}) {
		t.Errorf("scopes = %v", got)
	}
	if got := again.Duration(LoginTimeout); got != 90*time.Second {
		t.Errorf("login_timeout = %v", got)
	}
	if err := again.Delete("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of an absent key: err = %v, want ErrNotFound", err)
	}
}

func TestStoreReaders(t *testing.T) {
	t.Parallel()
	s, _ := Open("")
	_ = s.Merge(map[string]any{"a": "yes", "b": false, "c": "openid profile,email", "d": "2m", "e": "junk"})
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"yes reads as true", s.Bool("a"), true},
		{"false reads as false", s.Bool("b"), false},
		{"an absent key reads as false", s.Bool("zz"), false},
		{"a separated string reads as a list", len(s.List("c")), 3},
		{"a Go duration reads", s.Duration("d"), 2 * time.Minute},
		{"junk reads as zero", s.Duration("e"), time.Duration(0)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestOpenRefusesBrokenFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil {
		t.Fatal("Open of a broken file succeeded")
	}
}
