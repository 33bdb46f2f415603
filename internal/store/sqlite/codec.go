package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

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

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
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
	if !s.Valid {
		return nil, nil
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
