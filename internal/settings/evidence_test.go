package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
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

// TestFoundAtOpen: what changed in settings.json since the trail last took
// its values (Noted) is a Change at the next Open, ahead of the run's own:
// a hand edit, a removal, a change whose trail write failed (never noted),
// and an installation with no record at all; a noted file that cannot be
// read counts as no record, and values the trail has are no change.
func TestFoundAtOpen(t *testing.T) {
	t.Parallel()
	const a, b = "https://a.example", "https://b.example"
	for _, tt := range []struct {
		name  string
		noted string // settings.noted.json; "" for none
		file  string // settings.json; "" for none
		want  []Change
	}{
		{"as the trail has it", `{"login_url":"` + a + `"}`, `{"login_url":"` + a + `"}`, nil},
		{"edited by hand", `{"login_url":"` + a + `"}`, `{"login_url":"` + b + `","client_id":"plant"}`,
			[]Change{{LoginURL, a, b, ViaOutside}, {ClientID, "", "plant", ViaOutside}}},
		{"removed by hand", `{"login_url":"` + a + `"}`, "", []Change{{LoginURL, a, "", ViaOutside}}},
		{"no record, a login server in the file", "", `{"login_url":"` + a + `","theme":"dark"}`, []Change{{LoginURL, "", a, ViaFound}}},
		{"no record, no login server", "", `{"theme":"dark"}`, nil},
		{"a record that cannot be read", `{"login_url":`, `{"login_url":"` + a + `"}`, []Change{{LoginURL, "", a, ViaFound}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "settings.json")
			for p, body := range map[string]string{path: tt.file, notedPath(path): tt.noted} {
				if body != "" {
					if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.MergeVia(map[string]any{LoginURL: "https://c.example"}, ViaCommandLine); err != nil {
				t.Fatal(err)
			}
			var got []Change
			s.Record(func(c Change) { got = append(got, c) })
			// Then the run's own change, from the file's value.
			var inFile map[string]any
			_ = json.Unmarshal([]byte(tt.file), &inFile)
			want := append(tt.want, Change{LoginURL, text(inFile[LoginURL]), "https://c.example", ViaCommandLine})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("recorded %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestNotedIsWhatTheNextStartComparesWith: a change the recorder noted is
// no change at the next Open; one it did not note (its trail write failed)
// is found again.
func TestNotedIsWhatTheNextStartComparesWith(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Record(func(c Change) {
		if c.New == "https://a.example" { // the trail took a, and failed on b
			if err := s.Noted(c); err != nil {
				t.Error(err)
			}
		}
	})
	for _, u := range []string{"https://a.example", "https://b.example"} {
		if err := s.MergeVia(map[string]any{LoginURL: u}, ViaSettings); err != nil {
			t.Fatal(err)
		}
	}
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []Change
	again.Record(func(c Change) { got = append(got, c) })
	if want := []Change{{LoginURL, "https://a.example", "https://b.example", ViaOutside}}; !reflect.DeepEqual(got, want) {
		t.Errorf("the next start found %+v, want %+v", got, want)
	}
}
