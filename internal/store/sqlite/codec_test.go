package sqlite

import (
	"database/sql"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestParseStored: the fast path reads exactly what time.Parse reads, to
// the same time, and leaves everything else to it.
func TestParseStored(t *testing.T) {
	for _, s := range []string{
		"2026-12-07T04:33:22.123456Z",
		"0000-01-01T00:00:00.000000Z",
		"9999-12-31T23:59:59.999999Z",
		"2024-02-29T12:00:00.000001Z", // a leap year
		"2000-02-29T12:00:00.000000Z",
		"2023-02-29T12:00:00.000000Z", // not one
		"1900-02-29T12:00:00.000000Z",
		"2026-04-31T00:00:00.000000Z",
		"2026-04-30T00:00:00.000000Z",
		"2026-13-01T00:00:00.000000Z",
		"2026-00-01T00:00:00.000000Z",
		"2026-01-00T00:00:00.000000Z",
		"2026-01-32T00:00:00.000000Z",
		"2026-01-01T24:00:00.000000Z",
		"2026-01-01T23:60:00.000000Z",
		"2026-01-01T23:59:60.000000Z",
		"2026-01-01T23:59:59.00000aZ",
		"2026-01-01T23:59:59.000000+",
		"2026-01-01 23:59:59.000000Z",
		"2026-01-01T23:59:59.00000Z",
		"2026-01-01T23:59:59.0000000Z",
		"2026-01-01T23:59:59Z",
		"+026-01-01T23:59:59.000000Z",
		"-026-01-01T23:59:59.000000Z",
		"2026-1-01T23:59:59.0000000Z",
		"2026-01-01T23:59:59.000000z",
		"",
	} {
		want, werr := time.Parse(timeLayout, s)
		got, ok := parseStored(s)
		if ok && (werr != nil || !got.Equal(want) || got.Location() != time.UTC) {
			t.Errorf("parseStored(%q) = %v, time.Parse: %v, %v", s, got, want, werr)
		}
		if !ok && werr == nil {
			t.Errorf("parseStored(%q) refused what time.Parse reads as %v", s, want)
		}
		if pt, err := parseTime(s); (err == nil) != (werr == nil) || (err == nil && !pt.Equal(want)) {
			t.Errorf("parseTime(%q) = %v, %v; time.Parse: %v, %v", s, pt, err, want, werr)
		}
	}
}

// TestPlainList: the fast path reads a list to exactly what json.Unmarshal
// reads it to, and leaves to it what it cannot read so (an escape, a
// space, bytes not UTF-8, anything not a list of strings).
func TestPlainList(t *testing.T) {
	for _, s := range []string{
		`["a"]`, `["a","b"]`, `["operator","QA reviewer","é","日本"]`, `[""]`, `["",""]`, `["a",""]`,
		`["a\"b"]`, `["\u00e9"]`, `["a\\"]`, `["<&>"]`, "[\"a\tb\"]", "[\"\xff\"]",
		`[ "a"]`, `["a" ]`, `["a", "b"]`, `["a"] `, `["a",]`, `[,"a"]`, `["a""b"]`, `["a"`, `"a"]`,
		`[1]`, `["a",1]`, `[null]`, `["a]`, `[""a"]`, `null`, `{}`, `[]`, `["]`, `[","]`,
	} {
		got, err := parseList(sql.NullString{String: s, Valid: true})
		var want []string
		werr := json.Unmarshal([]byte(s), &want)
		if len(want) == 0 {
			want = nil
		}
		if (err == nil) != (werr == nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("parseList(%q) = %q, %v; json.Unmarshal: %q, %v", s, got, err, want, werr)
		}
		if l, ok := plainList(s); ok && (werr != nil || !reflect.DeepEqual(l, want)) {
			t.Errorf("plainList(%q) = %q, json.Unmarshal: %q, %v", s, l, want, werr)
		}
	}
	if _, ok := plainList(`["operator","QA reviewer"]`); !ok {
		t.Error("plainList refused a list as listText writes it")
	}
}
