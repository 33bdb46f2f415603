package settings

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/loginurl"
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

// login_url is checked by the rule the shell's own form applies, on every
// path that sets it, and a refused change stores nothing.
func TestLoginURLIsValidatedOnEveryPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		set     func(*Store) error
		want    string
		wantErr error
	}{
		{"Set with a good address stores it cleaned", func(s *Store) error { return s.Set(LoginURL, "  https://login.example.com ") }, "https://login.example.com", nil},
		{"the server_url alias too", func(s *Store) error { return s.Set("server_url", "https://login.example.com") }, "https://login.example.com", nil},
		{"loopback http is allowed", func(s *Store) error { return s.Set(LoginURL, "http://127.0.0.1:8080") }, "http://127.0.0.1:8080", nil},
		{"an empty value clears it", func(s *Store) error { return s.Set(LoginURL, "") }, "", nil},
		{"javascript: is refused", func(s *Store) error { return s.Set(LoginURL, "javascript:alert(1)") }, "", loginurl.ErrInvalid},
		{"plain http off this machine is refused", func(s *Store) error { return s.Set(LoginURL, "http://evil.example") }, "", loginurl.ErrInvalid},
		{"Merge refuses it too and stores nothing else", func(s *Store) error {
			return s.Merge(map[string]any{"server_url": "http://evil.example", "scopes": "x"})
		}, "", loginurl.ErrInvalid},
		{"a number is refused", func(s *Store) error { return s.Set(LoginURL, 7) }, "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(filepath.Join(t.TempDir(), "settings.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.set(s); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := s.String(LoginURL); got != tt.want {
				t.Errorf("login_url = %q, want %q", got, tt.want)
			}
			if tt.wantErr != nil && s.String("scopes") != "" {
				t.Error("a refused Merge stored the other keys")
			}
		})
	}
}

// The settings stay under 64 KiB: a change past that is refused whole.
func TestSettingsSizeLimit(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	if MaxBytes != 64<<10 {
		t.Fatalf("MaxBytes = %d, want the promised 64 KiB", MaxBytes)
	}
	if err := s.Set("note", strings.Repeat("x", 60<<10)); err != nil {
		t.Fatalf("60 KiB: %v", err)
	}
	if err := s.Set("more", strings.Repeat("y", 8<<10)); !errors.Is(err, ErrTooLarge) || fault.KindOf(err) != fault.TooLarge {
		t.Fatalf("past 64 KiB: %v, want ErrTooLarge", err)
	}
	if _, err := s.Get("more"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the refused value was stored: %v", err)
	}
}
