package signature

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"loginshell/internal/fault"
)

// MaxRecord bounds a request's record, in bytes of its canonical JSON.
const MaxRecord = 64 << 10

// CanonicalRecord reads the record a page or a script passes with a
// request (21 CFR 11.70: the signature is linked to what it signs): a JSON
// object or a JSON string, given as JSON text. It returns the record's
// canonical JSON: object members sorted by name at every depth, no
// insignificant space, numbers as written, strings as Go's encoder
// escapes them. "" and "null" are no record.
func CanonicalRecord(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if !utf8.Valid(raw) {
		return "", fault.Detail(ErrBadRecord, "it is not UTF-8 text")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fault.Detail(ErrBadRecord, "it is not JSON: %v", err)
	}
	if dec.More() {
		return "", fault.Detail(ErrBadRecord, "it holds more than one JSON value")
	}
	switch v.(type) {
	case map[string]any, string:
	default:
		return "", fault.Detail(ErrBadRecord, "it must be a JSON object or a string")
	}
	// encoding/json writes map keys sorted and keeps json.Number as written.
	b, err := json.Marshal(v)
	if err != nil {
		return "", fault.Detail(ErrBadRecord, "%v", err)
	}
	if len(b) > MaxRecord {
		return "", fault.Detail(ErrBadRecord, "it is %d bytes; at most %d", len(b), MaxRecord)
	}
	return string(b), nil
}

// contentV1 opens the content encoding, version 1.
const contentV1 = "loginshell/request/content/v1"

// ContentHash is the lowercase hex SHA-256 of what request r asks people
// to sign, fixed when it is queued and in every audit entry of r:
//
//	str("loginshell/request/content/v1") str(ID) str(Template)
//	str(RulesJSON) str(Name) str(Description) str(Record)
//
// where str(s) is s's length as 8 bytes big-endian, then s (as the audit
// entries' encoding): the template as queued (its JSON, as the store keeps
// it), the request's name and description, and its canonical record.
// Editing any of them in the store makes `audit verify` name the request.
func ContentHash(r Request) string {
	fields := [...]string{contentV1, r.ID.String(), r.Template, r.RulesJSON, r.Name, r.Description, r.Record}
	n := 0
	for _, s := range fields {
		n += 8 + len(s)
	}
	b := make([]byte, 0, n) // once: a verifier hashes every request
	for _, s := range fields {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// templateV1 opens a template's hash, version 1.
const templateV1 = "loginshell/template/v1"

// TemplateHash is the lowercase hex SHA-256 of a template as a request
// keeps it when queued (its JSON, Request.RulesJSON):
//
//	str("loginshell/template/v1") str(RulesJSON)
//
// with str as ContentHash's. A template's "stored" entry carries it
// (Entry.Content), so a request queued from a template that no entry of
// the trail recorded (one edited in the store, below the engine) is
// named by `audit verify` (Records).
func TemplateHash(rulesJSON string) string {
	sum := templateSum(rulesJSON)
	return hex.EncodeToString(sum[:])
}

func templateSum(rulesJSON string) [sha256.Size]byte {
	b := make([]byte, 0, 16+len(templateV1)+len(rulesJSON))
	b = binary.BigEndian.AppendUint64(b, uint64(len(templateV1)))
	b = append(b, templateV1...)
	b = binary.BigEndian.AppendUint64(b, uint64(len(rulesJSON)))
	b = append(b, rulesJSON...)
	return sha256.Sum256(b)
}

// Fingerprint is the short form of a content hash the dialog shows and a
// person can compare with `audit show`: its first 12 hex digits in groups
// of four.
func Fingerprint(hash string) string {
	if len(hash) < 12 {
		return hash
	}
	return fmt.Sprintf("%s-%s-%s", hash[:4], hash[4:8], hash[8:12])
}
