package loginurl

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		raw      string
		want     string
		wantErr  error
		wantText string // part of the refusal that names the broken rule
	}{
		{"an https issuer is accepted as typed", "https://login.example.com/realms/plant", "https://login.example.com/realms/plant", nil, ""},
		{"spaces around the address are trimmed", "  https://login.example.com \n", "https://login.example.com", nil, ""},
		{"an upper-case scheme is accepted", "HTTPS://login.example.com", "HTTPS://login.example.com", nil, ""},
		{"http on 127.0.0.1 is accepted", "http://127.0.0.1:8080", "http://127.0.0.1:8080", nil, ""},
		{"http anywhere in 127.0.0.0/8 is accepted", "http://127.4.5.6:9000/idp", "http://127.4.5.6:9000/idp", nil, ""},
		{"http on ::1 is accepted", "http://[::1]:8080", "http://[::1]:8080", nil, ""},
		{"http on localhost is accepted", "http://localhost:5556/dex", "http://localhost:5556/dex", nil, ""},
		{"http on another host is refused", "http://example.com", "", ErrInvalid, "plain http is allowed only on this machine"},
		{"http on a LAN address is refused", "http://192.168.1.10:8080", "", ErrInvalid, "plain http is allowed only on this machine"},
		{"http on a name ending in localhost is refused", "http://localhost.example.com", "", ErrInvalid, "only on this machine"},
		{"a relative address is refused", "/realms/plant", "", ErrInvalid, "not an absolute URL"},
		{"a host without a scheme is told to add https://", "login.example.com", "", ErrInvalid, "add https:// (https://login.example.com)"},
		{"a host and path without a scheme names the host only", "login.example.com/realms/plant", "", ErrInvalid, "add https:// (https://login.example.com)"},
		{"localhost with a port without a scheme", "localhost:8080", "", ErrInvalid, "add https:// (https://localhost:8080)"},
		{"a scheme without a host is refused", "https://", "", ErrInvalid, "not an absolute URL"},
		{"an opaque URL is refused", "https:login.example.com", "", ErrInvalid, "not an absolute URL"},
		{"an empty address is refused", "", "", ErrInvalid, "it is empty"},
		{"spaces only are refused as empty", "   ", "", ErrInvalid, "it is empty"},
		{"an unparsable address is refused", "https://exa mple.com/%zz", "", ErrInvalid, "not an absolute URL"},
		{"another scheme is refused", "ftp://login.example.com", "", ErrInvalid, "must start with https://"},
		{"a query is refused", "https://login.example.com/?tenant=1", "", ErrInvalid, "query"},
		{"a fragment is refused", "https://login.example.com/#top", "", ErrInvalid, "fragment"},
		{"a user name and password are refused", "https://ann:secret@login.example.com", "", ErrInvalid, "user name or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.raw)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("Parse(%q) = %q, %v; want %q, %v", tt.raw, got, err, tt.want, tt.wantErr)
			}
			if err == nil {
				return
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantText) || !strings.Contains(msg, "https://login.example.com") {
				t.Errorf("refusal %q does not name the rule (%q and the https example)", msg, tt.wantText)
			}
			if strings.Contains(msg, "secret") {
				t.Errorf("refusal %q repeats what was typed", msg)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"https://a.example", "http://127.0.0.1:1", "http://[::1]", "x", "", "http://a@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || got != "" {
				t.Fatalf("Parse(%q) = %q, %v: a refusal must wrap ErrInvalid and return \"\"", raw, got, err)
			}
			return
		}
		if again, err := Parse(got); err != nil || again != got {
			t.Fatalf("Parse(%q) = %q, but Parse of that = %q, %v", raw, got, again, err)
		}
	})
}
