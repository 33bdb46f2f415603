package sqlite

import (
	"math"
)

// A record is a row's payload in the file format: a header of serial
// types, one a column, then the values
// (https://www.sqlite.org/fileformat2.html, "Record Format"). This file
// decodes one into its values, checking each against the bounds of the
// payload, as btree.go does the pages.

// The kinds of value a serial type gives.
const (
	valueNull = iota
	valueInt
	valueFloat
	valueText
	valueBlob
)

// value is a column's value in a record: an integer in i, a real's bits
// (f), a text or blob in s, sharing the payload's memory.
type value struct {
	kind uint8
	i    int64
	s    string
}

// f is a real's value.
func (v value) f() float64 { return math.Float64frombits(uint64(v.i)) }

// kindName is how a value's kind is named in an error.
var kindName = [...]string{valueNull: "NULL", valueInt: "an integer", valueFloat: "a real", valueText: "text", valueBlob: "a blob"}

// decodeRecord decodes the record payload into vals (reused: its
// capacity is kept), and refuses one of more than max columns, or one
// whose header or values do not fill the payload exactly as SQLite
// writes them.
func decodeRecord(payload string, vals []value, max int) ([]value, error) {
	vals = vals[:0]
	size, n := varint(payload)
	if n == 0 || size < uint64(n) || size > uint64(len(payload)) {
		return vals, corrupt(0, "a record's header size %d does not fit its %d bytes", size, len(payload))
	}
	header, body := payload[n:size], payload[size:]
	for len(header) > 0 {
		if len(vals) == max {
			return vals, corrupt(0, "a record holds more than the table's %d columns", max)
		}
		// Most of a trail's values are text of fewer than 8,185 bytes: a
		// serial type of one or two bytes, read here without a call.
		var t uint64
		if h := header[0]; h < 0x80 {
			t, header = uint64(h), header[1:]
		} else if len(header) > 1 && header[1] < 0x80 {
			t, header = uint64(h&0x7f)<<7|uint64(header[1]), header[2:]
		} else {
			var n int
			if t, n = varint(header); n == 0 {
				return vals, corrupt(0, "a record's header ends inside a serial type")
			}
			header = header[n:]
		}
		if t >= 13 && t&1 == 1 && (t-13)/2 <= uint64(len(body)) {
			width := (t - 13) / 2
			vals = append(vals, value{kind: valueText, s: body[:width]})
			body = body[width:]
			continue
		}
		v, width, err := serial(t, body)
		if err != nil {
			return vals, err
		}
		vals = append(vals, v)
		body = body[width:]
	}
	if len(body) != 0 {
		return vals, corrupt(0, "a record's %d columns leave %d of its bytes unread", len(vals), len(body))
	}
	return vals, nil
}

// serial reads the value of serial type t from the start of body, and
// says how many bytes it took.
func serial(t uint64, body string) (value, int, error) {
	var width int
	switch {
	case t == 0:
		return value{kind: valueNull}, 0, nil
	case t == 8 || t == 9:
		return value{kind: valueInt, i: int64(t - 8)}, 0, nil
	case t == 10 || t == 11:
		return value{}, 0, corrupt(0, "a record holds serial type %d, which the format reserves", t)
	case t <= 7:
		width = [...]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8}[t]
	default:
		if (t-12)/2 > uint64(len(body)) {
			return value{}, 0, corrupt(0, "a record's value of %d bytes runs past its end", (t-12)/2)
		}
		width = int((t - 12) / 2)
	}
	if width > len(body) {
		return value{}, 0, corrupt(0, "a record's value of %d bytes runs past its end", width)
	}
	b := body[:width]
	switch {
	case t >= 12 && t%2 == 0:
		return value{kind: valueBlob, s: b}, width, nil
	case t >= 13:
		return value{kind: valueText, s: b}, width, nil
	}
	// A big-endian two's complement integer, or an IEEE 754 double.
	u := uint64(0)
	for i := range width {
		u = u<<8 | uint64(b[i])
	}
	if t == 7 {
		return value{kind: valueFloat, i: int64(u)}, width, nil
	}
	shift := 64 - 8*width
	return value{kind: valueInt, i: int64(u<<shift) >> shift}, width, nil
}
