package audit

import (
	"bytes"
	"encoding/json"
	"flag"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestSeal(t *testing.T) {
	t.Parallel()
	first := Seal(nil, Entry{Time: base, Event: EventQueue, Seq: 99, Prev: "forged", Hash: "forged"})
	second := Seal(&first, Entry{Time: base.Add(time.Second), Offset: "-05:00", Event: EventTrigger})
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"The first entry is number 1.", first.Seq, int64(1)},
		{"The first entry links to nothing.", first.Prev, ""},
		{"The next entry is numbered after the previous one.", second.Seq, int64(2)},
		{"The next entry links to the previous one's hash.", second.Prev, first.Hash},
		{"The time is in UTC.", first.Time.Location(), time.UTC},
		{"The time is the same instant, to the microsecond.", first.Time.Equal(base.Truncate(time.Microsecond)), true},
		{"An empty offset is taken from the time's location.", first.Offset, "+01:00"},
		{"A given offset is kept.", second.Offset, "-05:00"},
		{"The hash is hex SHA-256.", regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(first.Hash), true},
		{"The hash is the digest of the content.", first.Hash, digest(&first)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

// TestSealCleansEveryTextField makes sure no text field can hold what JSON
// or a PostgreSQL text column would change on the way back.
func TestSealCleansEveryTextField(t *testing.T) {
	t.Parallel()
	var e Entry
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString("a\x00b\xffc")
		}
	}
	s := reflect.ValueOf(Seal(nil, e))
	for i := range s.NumField() {
		name := s.Type().Field(i).Name
		if f := s.Field(i); f.Kind() == reflect.String && name != "Prev" && name != "Hash" {
			if got := f.String(); got != "a\uFFFDb\uFFFDc" {
				t.Errorf("%s = %q after Seal, want NUL and invalid UTF-8 replaced", name, got)
			}
		}
	}
}

// TestHashGolden pins version 1 of the encoding: if this hash changes,
// every stored trail stops verifying. The values were also computed by a
// separate implementation written from the Entry doc comment alone.
func TestHashGolden(t *testing.T) {
	t.Parallel()
	e := Entry{
		Time: time.Date(2025, 3, 1, 9, 15, 2, 123456000, time.UTC), Offset: "+01:00", Station: "ST-7",
		Event: EventApprove, Request: "6f1c2a7e-1b3d-4c5e-8f90-000000000042", RequestName: "Batch 42 release",
		Slot: "0b7e3f5a-9c2d-4e1f-a6b8-000000000001", Template: "Release", UserID: "jdoe",
		PrintedName: "Jane Doe", Meaning: "Approval", Approve: yes(), Comment: "checked twice", Detail: "",
	}
	first := Seal(nil, e)
	second := Seal(&first, Entry{Time: time.Unix(0, 0), Offset: "+00:00", Event: EventReject, Approve: no(), Comment: "é"})
	v2 := e
	v2.IdP, v2.Actor, v2.Content = "https://login.example.com", "os:mes@plant-1", strings.Repeat("ab", 32)
	third := Seal(&second, v2)
	for _, tt := range []struct{ name, got, want string }{
		{"first", first.Hash, "438455fe9f2d897b48d2ef685a8af8e0ba82ece272769214e99f53629e94eeb8"},
		{"second", second.Hash, "fd139344ddc8b1417b717774d43a66ff5d94f6add19b6c32a1acff634a662e52"},
		{"third, version 2", third.Hash, "90cae169aad3902b4ddc0b9f0de0b68aed48c4e10b5861184a6e40f4c9f91bdb"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s entry hashes to %s, want %s: the encoding changed; stored trails would no longer verify", tt.name, tt.got, tt.want)
		}
	}
}

// TestJSON pins the JSON a reader of `audit show --json` gets: the field
// names, and that the JSON alone is enough to verify the trail.
func TestJSON(t *testing.T) {
	t.Parallel()
	trail := chain(12)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, e := range trail {
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	golden := filepath.Join("testdata", "trail.jsonl")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("The JSON of a trail is the golden file's.", func(t *testing.T) {
		t.Parallel()
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("JSON changed:\n%s\nwant (go test -update to accept):\n%s", b.Bytes(), want)
		}
	})
	t.Run("The golden trail, read back, verifies.", func(t *testing.T) {
		t.Parallel()
		if err := VerifyAgainst(jsonLines(want), trail[len(trail)-1]); err != nil {
			t.Error(err)
		}
	})
	t.Run("The JSON names every field.", func(t *testing.T) {
		t.Parallel()
		got := slices.Sorted(keysOf(t, full()))
		want := []string{"actor", "approve", "comment", "content", "detail", "event", "hash", "idp", "meaning", "offset", "prev",
			"printed_name", "request", "request_name", "seq", "slot", "station", "template", "time", "user_id"}
		if !slices.Equal(got, want) {
			t.Errorf("JSON fields %v, want %v: readers of old exports rely on these names", got, want)
		}
	})
	t.Run("An empty entry still has its number, time, event and hashes.", func(t *testing.T) {
		t.Parallel()
		got := slices.Sorted(keysOf(t, Seal(nil, Entry{})))
		want := []string{"event", "hash", "offset", "prev", "seq", "time"}
		if !slices.Equal(got, want) {
			t.Errorf("JSON fields %v, want %v", got, want)
		}
	})
}

// TestNoSecretInTheTrail: the trail is shown to auditors for years, so no
// field may be named, or be taken for, a credential. Callers never put one
// in (Seal's doc comment); this keeps a future field from inviting one.
func TestNoSecretInTheTrail(t *testing.T) {
	t.Parallel()
	secret := regexp.MustCompile(`(?i)pass|pwd|token|secret|credential|cookie|session|^p$|^o$|key`)
	for key := range keysOf(t, full()) {
		if secret.MatchString(key) {
			t.Errorf("the JSON of an entry has a field %q: the audit trail must never carry a password or a token", key)
		}
	}
	for i := range reflect.TypeFor[Entry]().NumField() {
		if name := reflect.TypeFor[Entry]().Field(i).Name; secret.MatchString(name) {
			t.Errorf("Entry has a field %s: the audit trail must never carry a password or a token", name)
		}
	}
	// A failed attempt, as the engine records it after the signer typed
	// user ID and password: the password is nowhere in it.
	const typed = "Tr0ub4dor&3"
	b, err := json.Marshal(Seal(nil, sample(3)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), typed) {
		t.Errorf("the sample attempt carries the password: %s", b)
	}
}

// full returns a sealed entry with every field set.
func full() Entry {
	e := sample(5)
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String && f.String() == "" {
			f.SetString("x")
		}
	}
	return Seal(&Entry{Seq: 1, Hash: strings.Repeat("0", 64)}, e)
}

// keysOf returns the JSON object keys of e.
func keysOf(t *testing.T, e Entry) iter.Seq[string] {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return maps.Keys(m)
}
