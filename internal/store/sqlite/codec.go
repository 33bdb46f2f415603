package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// timeLayout is how times are stored: RFC 3339, UTC, exactly six
// fractional digits, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// timeText is t as stored: UTC, truncated to the microsecond (what
// audit.Seal keeps and PostgreSQL holds).
func timeText(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(timeLayout)
}

// parseTime reads a time as timeText stores it. What time.Parse would
// accept is read without it (a trail of a million entries has two million
// times to read); anything else, and every error, is time.Parse's.
func parseTime(s string) (time.Time, error) {
	if t, ok := parseStored(s); ok {
		return t, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// parseStored reads s when it is in timeLayout and a valid time, as
// time.Parse(timeLayout, s) would (TestParseStored compares the two).
func parseStored(s string) (time.Time, bool) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			d := s[i] - '0'
			if d > 9 {
				return -1
			}
			n = n*10 + int(d)
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, second, micro := num(11, 13), num(14, 16), num(17, 19), num(20, 26)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
		second < 0 || second > 59 || micro < 0 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, micro*1000, time.UTC)
	if t.Day() != day { // the 31st of a month of 30 days, or the 29th of February of a common year
		return time.Time{}, false
	}
	return t, true
}

// plainList reads a list as listText writes one when no string of it
// needs an escape: ["a","b"], with no space, no backslash, no control
// character, and valid UTF-8, which json.Unmarshal reads to the same
// strings (TestPlainList); anything else it leaves to json.Unmarshal.
// Decoding JSON was most of the time to read a signature's roles
// (BenchmarkVerify). The strings share one copy of s, so a reader
// that keeps them does not keep the row s was cut from.
func plainList(s string) ([]string, bool) {
	if len(s) < 4 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	body := strings.Clone(s[1 : len(s)-1])
	l := make([]string, 0, strings.Count(body, `","`)+1)
	for {
		if len(body) < 2 || body[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(body[1:], '"') + 1
		if end == 0 {
			return nil, false
		}
		e := body[1:end]
		for i := range len(e) {
			if e[i] < 0x20 || e[i] == '\\' {
				return nil, false
			}
		}
		if !utf8.ValidString(e) {
			return nil, false
		}
		l = append(l, e)
		if body = body[end+1:]; body == "" {
			return l, true
		}
		if body[0] != ',' {
			return nil, false
		}
		body = body[1:]
	}
}

func parseUUID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fmt.Errorf("stored UUID %q: %w", s, err)
	}
	return id, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// listText is a list of roles or groups as stored: a JSON array.
func listText(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// parseList reads a JSON array back; an empty one is nil, as a Signer
// built without roles has them.
func parseList(s sql.NullString) ([]string, error) {
	if !s.Valid || s.String == "[]" { // the usual groups: no decoder for them
		return nil, nil
	}
	if l, ok := plainList(s.String); ok {
		return l, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s.String), &l); err != nil {
		return nil, fmt.Errorf("stored list %q: %w", s.String, err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}
