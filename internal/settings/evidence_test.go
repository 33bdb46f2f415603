package settings

import (
	"reflect"
	"testing"
)

// TestRecordedChanges: only a real change of login_url or client_id is
// handed to the recorder, with the way it came in; the changes made before
// there was a recorder reach it first, in order.
func TestRecordedChanges(t *testing.T) {
	t.Parallel()
	const a, b = "https://a.example", "https://b.example"
	tests := []struct {
		name   string
		change func(*Store) error
		want   []Change
	}{
		{"a new login server", func(s *Store) error { return s.MergeVia(map[string]any{LoginURL: b}, ViaSettings) },
			[]Change{{LoginURL, a, b, ViaSettings}}},
		{"the same login server, spaces aside", func(s *Store) error { return s.MergeVia(map[string]any{LoginURL: " " + a + " "}, ViaSettings) }, nil},
		{"the alias server_url", func(s *Store) error { return s.Merge(map[string]any{"server_url": b}) },
			[]Change{{LoginURL, a, b, ViaUnnamed}}},
		{"both keys at once, in Recorded's order", func(s *Store) error {
			return s.MergeVia(map[string]any{ClientID: "plant", LoginURL: b}, ViaDemo)
		}, []Change{{LoginURL, a, b, ViaDemo}, {ClientID, "", "plant", ViaDemo}}},
		{"a key no signature depends on", func(s *Store) error {
			return s.MergeVia(map[string]any{RedirectPort: "8765", "theme": "dark"}, ViaSettings)
		}, nil},
		{"the login server cleared", func(s *Store) error { return s.Delete(LoginURL) }, []Change{{LoginURL, a, "", ViaUnnamed}}},
		{"a refused value", func(s *Store) error {
			if s.MergeVia(map[string]any{LoginURL: "http://evil.example"}, ViaSettings) == nil {
				t.Error("plain http off this machine was stored")
			}
			return nil
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open("")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.MergeVia(map[string]any{LoginURL: a}, ViaCommandLine); err != nil {
				t.Fatal(err)
			}
			var got []Change
			s.Record(func(c Change) { got = append(got, c) })
			if want := (Change{LoginURL, "", a, ViaCommandLine}); len(got) != 1 || got[0] != want {
				t.Fatalf("the change made before Record reached it as %+v, want %+v", got, want)
			}
			got = nil
			if err := tt.change(s); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("recorded %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestChangeDetail(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		c    Change
		want string
	}{
		{Change{LoginURL, "", "https://b", ViaFirstStart}, `login_url set to "https://b" (none before) through the first start's form`},
		{Change{LoginURL, "https://a", "https://b", ViaSettings}, `login_url changed from "https://a" to "https://b" through the Settings place`},
		{Change{ClientID, "plant", "", ViaUnnamed}, `client_id "plant" cleared through a way the shell does not name`},
	} {
		if got := tt.c.Detail(); got != tt.want {
			t.Errorf("Detail() = %s, want %s", got, tt.want)
		}
	}
}
