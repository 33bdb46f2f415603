package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"loginshell/internal/audit"
)

// auditReader is what `audit show` reads: the entries in order.
type auditReader interface {
	AuditEntries(ctx context.Context, fn func(audit.Entry) error) error
}

// showAudit is `audit show`: the entries tf matches, as a table for
// people (tf.table: the 21 CFR 11.50 manifestation: printed name,
// meaning, decision, the station's local time; the station; and what
// an entry without a signer says: who acted, what changed, which
// identity provider), or one
// line each with every field (audit.Format, as it always was), or one
// JSON object each (--json, the Entry's own JSON with the hashes).
func showAudit(ctx context.Context, trail auditReader, tf *trailFlags, asJSON bool, stdout io.Writer) error {
	enc := json.NewEncoder(stdout)
	var table *tabwriter.Writer
	if !asJSON && tf.table {
		table = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(table, "#\tLOCAL TIME\tEVENT\tREQUEST\tSIGNER\tUSER ID\tMEANING\tDECISION\tSTATION\tDETAIL")
	}
	err := trail.AuditEntries(ctx, func(e audit.Entry) error {
		switch {
		case !tf.match(e):
			return nil
		case asJSON:
			return enc.Encode(e)
		case tf.table:
			_, err := fmt.Fprintln(table, row(e))
			return err
		default:
			_, err := fmt.Fprintln(stdout, audit.Format(e))
			return err
		}
	})
	if table != nil {
		err = errors.Join(err, table.Flush())
	}
	return err
}

// row is e as a row of show's table.
func row(e audit.Entry) string {
	decision := "-"
	if e.Approve != nil {
		decision = map[bool]string{true: "approve", false: "reject"}[*e.Approve]
	}
	return strings.Join([]string{"#" + strconv.FormatInt(e.Seq, 10), localTime(e), cell(e.Event, 12), cell(e.RequestName, 32),
		cell(e.PrintedName, 28), cell(e.UserID, 20), cell(e.Meaning, 20), decision, cell(e.Station, 20), cell(detail(e), 160)}, "\t")
}

// detail is the last cell of e's row (the last, so a long one shifts
// no other column): why (a failure's reason, a
// setting's change), by whom when no signer did it (a setting changed
// by "os:mes@plant-1"), at which identity provider. A setting entry
// has nothing else to show.
func detail(e audit.Entry) string {
	var parts []string
	if e.Detail != "" {
		parts = append(parts, e.Detail)
	}
	if e.Actor != "" {
		parts = append(parts, "by "+e.Actor)
	}
	if e.IdP != "" {
		parts = append(parts, "at "+e.IdP)
	}
	return strings.Join(parts, "; ")
}

// localTime is when e happened on its station's clock: UTC moved to the
// offset the station recorded, with that offset.
func localTime(e audit.Entry) string {
	t := e.Time.UTC()
	if off, err := time.Parse("-07:00", e.Offset); err == nil {
		_, secs := off.Zone()
		t = t.In(time.FixedZone(e.Offset, secs))
	}
	return t.Format("2006-01-02 15:04:05 -07:00")
}

// cell is s fit for one cell of a table read in a terminal: control
// characters (a newline, an escape) shown as spaces, at most max runes,
// "-" for nothing.
func cell(s string, max int) string {
	if s == "" {
		return "-"
	}
	rs := []rune(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\t' || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s))
	if len(rs) > max {
		return string(rs[:max-1]) + "…"
	}
	return string(rs)
}
