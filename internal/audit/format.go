package audit

import (
	"strconv"
	"strings"
)

// Format returns e as one line for `loginshell audit show`: its number, the
// time in UTC to the second with the station's local offset, the event,
// then the fields that are set, as name=value:
//
//	#12 2025-03-01T09:15:02Z (local +01:00) approve request="Batch 42 release"
//	request_id=… slot=… template=Release signer="Jane Doe" user=jdoe
//	meaning=Approval decision=approve comment="checked twice" station=ST-7
//
// (one line; wrapped here), and, when set, the identity provider (idp)
// and who acted (actor) before the station. signer, user, meaning, decision, time and
// comment are the 21 CFR 11.50 manifestation. A value is bare when it is
// made of letters, digits and ._:@/+- only, and otherwise Go-quoted, so a
// comment with a newline or a terminal escape stays on its line and
// harmless. The JSON of `audit show --json` is the Entry's own JSON, with
// the hashes; Format leaves them out, as `audit verify` names entries by
// number.
func Format(e Entry) string {
	var b strings.Builder
	b.WriteString("#")
	b.WriteString(strconv.FormatInt(e.Seq, 10))
	b.WriteString(" ")
	b.WriteString(e.Time.UTC().Format("2006-01-02T15:04:05Z07:00"))
	if e.Offset != "" {
		b.WriteString(" (local ")
		b.WriteString(value(e.Offset))
		b.WriteString(")")
	}
	b.WriteString(" ")
	b.WriteString(value(e.Event))
	field := func(name, v string) {
		if v != "" {
			b.WriteString(" ")
			b.WriteString(name)
			b.WriteString("=")
			b.WriteString(value(v))
		}
	}
	field("request", e.RequestName)
	field("request_id", e.Request)
	field("slot", e.Slot)
	field("template", e.Template)
	field("signer", e.PrintedName)
	field("user", e.UserID)
	field("meaning", e.Meaning)
	if e.Approve != nil {
		field("decision", map[bool]string{true: "approve", false: "reject"}[*e.Approve])
	}
	field("comment", e.Comment)
	field("idp", e.IdP)
	field("actor", e.Actor)
	field("station", e.Station)
	field("detail", e.Detail)
	return b.String()
}

// value returns v bare when it is plainly one word, else Go-quoted
// (strconv.Quote escapes control and format characters, newlines and
// invalid UTF-8).
func value(v string) string {
	if v == "" {
		return `""`
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:@/+-", r)) {
			return strconv.Quote(v)
		}
	}
	return v
}
