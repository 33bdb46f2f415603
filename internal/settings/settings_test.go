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

// redirect_port holds a port or nothing, whoever sets it (the flag's
// string, a page's JSON number): a provider that matches redirect URIs
// exactly must get the port the person registered, never a guess.
func TestRedirectPortIsValidated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   any
		want    int
		wantErr error
	}{
		{"a JSON number is a port", float64(8765), 8765, nil},
		{"the flag's string is a port", " 8765 ", 8765, nil},
		{"0 asks for a random port", "0", 0, nil},
		{"an empty string clears it", "", 0, nil},
		{"null clears it", nil, 0, nil},
		{"a port past 65535 is refused", float64(65536), 0, ErrInvalid},
		{"a negative port is refused", "-1", 0, ErrInvalid},
		{"a fraction is refused", 80.5, 0, ErrInvalid},
		{"words are refused", "eighty", 0, ErrInvalid},
		{"a boolean is refused", true, 0, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "settings.json")
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Set(RedirectPort, float64(1234)); err != nil {
				t.Fatal(err)
			}
			err = s.Set(RedirectPort, tt.value)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Set(redirect_port, %#v) = %v, want %v", tt.value, err, tt.wantErr)
			}
			want := tt.want
			if tt.wantErr != nil {
				want = 1234 // a refused value leaves the stored one
				if !strings.Contains(err.Error(), "from 1 to 65535, or 0 for a random port") {
					t.Errorf("refusal %q does not say what is allowed", err)
				}
			}
			again, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := again.Port(RedirectPort); got != want {
				t.Errorf("Port(redirect_port) after reload = %d, want %d", got, want)
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

func TestSignatureStoreIsValidated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   any
		want    string
		wantErr error
	}{
		{"a URL without a password is kept", " postgres://mes@db.plant/signatures?sslmode=verify-full ", "postgres://mes@db.plant/signatures?sslmode=verify-full", nil},
		{"key=value without a password is kept", "host=db.plant dbname=signatures user=mes", "host=db.plant dbname=signatures user=mes", nil},
		{"an empty value clears it", "", "", nil},
		{"a URL with a password is refused", "postgres://mes:s3cret@db.plant/signatures", "", ErrInvalid},
		{"a password parameter is refused", "postgres://mes@db.plant/signatures?password=s3cret", "", ErrInvalid},
		{"key=value with a password is refused", "host=db.plant password=s3cret dbname=x", "", ErrInvalid},
		{"a file path is refused", "/var/lib/signatures.db", "", ErrInvalid},
		{"a number is refused", 7, "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := Open("")
			err := s.Set(SignatureStore, tt.value)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Set: %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error repeats the password: %q", err)
			}
			if got := s.String(SignatureStore); got != tt.want {
				t.Errorf("stored %q, want %q", got, tt.want)
			}
		})
	}
}
