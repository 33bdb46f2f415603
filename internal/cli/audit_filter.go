package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
)

// auditTrailSynopsis is the part of `loginshell audit`'s synopsis about
// exports, checkpoints and show's filters (issue 21).
const auditTrailSynopsis = "\n  loginshell audit verify --export FILE [--fingerprint FP]...\n" +
	"      checks an auditor's copy with no store; every station key must be one of the fingerprints given\n" +
	"  loginshell audit show [--user ID] [--request UUID|NAME] [--event E,...] [--since T] [--table|--lines|--json]\n" +
	"      prints the entries that match: a table for people (the default on a terminal), one line each with every field\n" +
	"      (the default otherwise), or JSON\n" +
	"  loginshell audit export [--request UUID] [--since T] [--data DIR] [--store DSN] FILE\n" +
	"      writes a self-contained copy (entries, the stations' keys and signed checkpoints) an auditor verifies"

// trailFlags are `audit`'s flags for exports, fingerprints and filters.
type trailFlags struct {
	export       string
	fingerprints []string
	user         string
	request      string
	event        string
	sinceText    string
	lines        bool
	table        bool

	since  *time.Time // sinceText, read by validate
	events []string   // event, split
}

func addTrailFlags(fs *flag.FlagSet) *trailFlags {
	tf := &trailFlags{}
	fs.StringVar(&tf.export, "export", "", "verify: check this export file instead of a store")
	fs.Func("fingerprint", "verify: a station key's fingerprint from its validation record (loginshell station key); repeat for each station; every key must be one of them", func(s string) error {
		fp, err := audit.NormalFingerprint(s)
		if err != nil {
			return err
		}
		tf.fingerprints = append(tf.fingerprints, fp)
		return nil
	})
	fs.StringVar(&tf.user, "user", "", "show: the entries of this user ID or printed name (case-insensitive)")
	fs.StringVar(&tf.request, "request", "", "show: the entries of this request (UUID, or its name); export: of this request (UUID)")
	fs.StringVar(&tf.event, "event", "", "show: the entries of these events, comma-separated (queue, trigger, attempt, success, failure, lockout, approve, reject, cancel, timeout, template, alert)")
	fs.StringVar(&tf.sinceText, "since", "", "show, export: the entries at or after this time: RFC 3339, 2006-01-02T15:04 or 2006-01-02 (local time), or a duration back from now (24h)")
	fs.BoolVar(&tf.lines, "lines", false, "show: one line per entry with every field (the default when stdout is not a terminal)")
	fs.BoolVar(&tf.table, "table", false, "show: a table for people: local time, event, request, signer, user ID, meaning, decision, station (the default on a terminal)")
	return tf
}

// validate checks the flags against the verb and reads --since.
func (tf *trailFlags) validate(verb string, now time.Time) error {
	switch {
	case tf.export != "" && verb != "verify":
		return errors.New("--export goes with verify (audit verify --export FILE); to write one, audit export FILE")
	case len(tf.fingerprints) > 0 && verb != "verify":
		return errors.New("--fingerprint goes with verify")
	case verb != "show" && (tf.user != "" || tf.event != "" || tf.lines || tf.table):
		return errors.New("--user, --event, --lines and --table go with show")
	case tf.lines && tf.table:
		return errors.New("say --lines or --table, not both")
	case (verb == "verify" || verb == "alerts") && (tf.request != "" || tf.sinceText != ""):
		return errors.New("--request and --since go with show and export")
	}
	if verb == "export" && tf.request != "" {
		if _, err := uuid.Parse(tf.request); err != nil {
			return fmt.Errorf("--request %q: give the request's UUID", tf.request)
		}
	}
	if tf.sinceText != "" {
		t, err := parseSince(tf.sinceText, now)
		if err != nil {
			return err
		}
		tf.since = &t
	}
	for e := range strings.SplitSeq(tf.event, ",") {
		if e = strings.TrimSpace(e); e != "" {
			tf.events = append(tf.events, strings.ToLower(e))
		}
	}
	return nil
}

// exportFilter is the export's filter, nil for the whole trail.
func (tf *trailFlags) exportFilter() *audit.ExportFilter {
	if tf.request == "" && tf.since == nil {
		return nil
	}
	return &audit.ExportFilter{Request: strings.ToLower(tf.request), Since: tf.since}
}

// match says whether show prints e.
func (tf *trailFlags) match(e audit.Entry) bool {
	if tf.user != "" && !strings.EqualFold(e.UserID, tf.user) && !strings.EqualFold(e.PrintedName, tf.user) {
		return false
	}
	if tf.request != "" && !strings.EqualFold(e.Request, tf.request) && e.RequestName != tf.request {
		return false
	}
	if len(tf.events) > 0 && !containsFold(tf.events, e.Event) {
		return false
	}
	return tf.since == nil || !e.Time.Before(*tf.since)
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// parseSince reads --since: RFC 3339; a local date and time
// (2006-01-02T15:04, or with a space) or a local date (midnight); or a
// Go duration back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: use RFC 3339 (2026-11-29T08:00:00Z), a local date and time (2026-11-29T08:00, 2026-11-29) or a duration back from now (24h)", s)
}
