package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"iter"
	"strings"
	"time"

	"loginshell/internal/fault"
)

// Checkpoint is a station's signed statement about one transaction it
// committed to the trail: "in store Store I wrote entries From to Seq,
// the entry before my first one was checkpointed at Prev, and entry Seq
// has hash Hash". A hash chain alone does not see a cut tail or a trail
// re-hashed end to end (the encoding is public and has no key); a
// checkpoint signed with the station's Ed25519 key does, since nobody
// without the key can make one for the new head.
//
// The stores write one checkpoint in the same transaction as the entries
// it covers, so a committed entry of a station that signs checkpoints is
// never without one, and the checkpoints of a store form one chain:
// every checkpoint's Prev is the Seq of the checkpoint before it (0 for
// the first one of the store). The entries between Prev and From (none,
// unless entries were appended without a key) are what the station found
// in the trail and did not write; the first checkpoint's are the trail's
// entries from before checkpoints existed. See [CheckTrail] for the rules
// a verifier applies.
//
// Its JSON (the export's "checkpoints", DATA/checkpoint.json) uses the tag
// names below; Time is RFC 3339 in UTC to the microsecond.
//
// Signature is the lowercase hex Ed25519 signature (RFC 8032, pure
// Ed25519) by Key of this canonical encoding, version 1:
//
//	str("loginshell/audit/checkpoint/v1")
//	str(Store) str(Station)
//	u64(Prev) u64(From) u64(Seq) str(Hash)
//	u64(Time's Unix seconds) u32(Time's nanoseconds within the second)
//
// with u64, u32 and str as in [Entry]'s encoding. Key is the lowercase hex
// of the 32-byte Ed25519 public key; it is not in the encoding, the
// signature binds it.
//
// A checkpoint with a Link is encoded as version 2: the same fields after
// str("loginshell/audit/checkpoint/v2") instead of v1's, then str(Link).
// Link chains the checkpoints of one key: it is [LinkOf] the checkpoint
// the key signed before ([GenesisLink] for its first). One valid
// signature at the end of a key's chain so vouches for every checkpoint
// of that key before it, unchanged and none missing, as each one's own
// signature would: a verifier checks one Ed25519 signature per key (and
// per break in a chain) and one SHA-256 per checkpoint, not one
// signature per transaction (see [CheckTrail]).
type Checkpoint struct {
	// Store names the trail: the store's random identity, made when its
	// schema was created, so a checkpoint of one store never passes for
	// another's.
	Store string `json:"store"`
	// Station is the station that signed, as its entries name it.
	Station string `json:"station"`
	// Key is the station's public key, lowercase hex.
	Key string `json:"key"`
	// Prev is the Seq of the store's checkpoint before this one, 0 for the
	// first.
	Prev int64 `json:"prev"`
	// From is the first entry the station wrote in the transaction.
	From int64 `json:"from"`
	// Seq is the last entry the station wrote in it: the trail's head
	// when the transaction committed.
	Seq int64 `json:"seq"`
	// Hash is entry Seq's hash.
	Hash string `json:"hash"`
	// Time is when the station signed, on its clock.
	Time time.Time `json:"time"`
	// Signature is the hex Ed25519 signature of the encoding above.
	Signature string `json:"signature"`
	// Link is LinkOf the checkpoint signed before by the same key,
	// GenesisLink for the key's first; "" for a version 1 checkpoint.
	Link string `json:"link,omitempty"`
}

// encodingCheckpointV1 opens the canonical encoding of a checkpoint;
// encodingCheckpointV2 that of one with a Link.
const (
	encodingCheckpointV1 = "loginshell/audit/checkpoint/v1"
	encodingCheckpointV2 = "loginshell/audit/checkpoint/v2"
)

// GenesisLink is the Link of a key's first checkpoint: 64 zeros, which no
// SHA-256 is known to give.
const GenesisLink = "0000000000000000000000000000000000000000000000000000000000000000"

// message is c's canonical encoding: what Signature signs.
func (c *Checkpoint) message() []byte {
	return c.appendMessage(make([]byte, 0, 320))
}

// appendMessage appends c's canonical encoding to b.
func (c *Checkpoint) appendMessage(b []byte) []byte {
	version := encodingCheckpointV1
	if c.Link != "" {
		version = encodingCheckpointV2
	}
	b = appendString(b, version)
	b = appendString(b, c.Store)
	b = appendString(b, c.Station)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Prev))
	b = binary.BigEndian.AppendUint64(b, uint64(c.From))
	b = binary.BigEndian.AppendUint64(b, uint64(c.Seq))
	b = appendString(b, c.Hash)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(c.Time.Nanosecond()))
	if c.Link != "" {
		b = appendString(b, c.Link)
	}
	return b
}

// LinkOf is what the checkpoint after c (by the same key) holds as its
// Link: the lowercase hex SHA-256 of c's canonical encoding followed by
// str(c.Signature), so a change to anything c holds, its signature
// included, breaks the chain at the next checkpoint.
func LinkOf(c *Checkpoint) string {
	var h [sha256.Size * 2]byte
	return string(linkOf(&h, c))
}

// linkOf writes LinkOf(c) into h: a checkpoint of usual size is encoded
// on the stack (a verifier links a million of them).
func linkOf(h *[sha256.Size * 2]byte, c *Checkpoint) []byte {
	var buf [512]byte
	sum := sha256.Sum256(appendString(c.appendMessage(buf[:0]), c.Signature))
	hex.Encode(h[:], sum[:])
	return h[:]
}

// NextLink is the Link of the checkpoint a station signs now, given prev,
// the newest checkpoint the store holds by the station's key (nil for
// none, read under the chain's lock), and mine, the one this process
// committed last (nil for none). The chain links only to a checkpoint
// the key really signed: one that is not mine (another process with the
// same key wrote it, or someone who edited the store) is linked to only
// when its signature verifies, or a forged checkpoint would be vouched
// for by every signature after it; else the chain starts again at
// GenesisLink, and a verifier names the forged one.
func NextLink(prev, mine *Checkpoint) string {
	switch {
	case prev == nil:
		return GenesisLink
	case mine != nil && sameCheckpoint(*prev, *mine):
		return LinkOf(prev)
	case VerifySignature(*prev) == nil:
		return LinkOf(prev)
	default:
		return GenesisLink
	}
}

// SignCheckpoint returns c signed with key: Key and Signature are set,
// Time is made UTC to the microsecond (as a store keeps it) and Station
// cleaned as Seal cleans text. It does no I/O: a store calls it inside
// the transaction that commits the entries c covers.
func SignCheckpoint(key ed25519.PrivateKey, c Checkpoint) Checkpoint {
	c.Time = c.Time.UTC().Truncate(time.Microsecond)
	c.Station = clean(c.Station)
	c.Key = hex.EncodeToString(key.Public().(ed25519.PublicKey))
	c.Signature = hex.EncodeToString(ed25519.Sign(key, c.message()))
	return c
}

// ErrBadSignature is a checkpoint whose signature does not verify under
// its key: it was changed after it was signed, or made without the key.
var ErrBadSignature = fault.New(fault.Invalid, "the checkpoint's signature does not verify under its key")

// VerifySignature checks c's signature under c.Key. It does NOT say
// whether c.Key is the station's: [CheckTrail] compares it with the keys
// registered and pinned.
func VerifySignature(c Checkpoint) error {
	key, err := ParseKey(c.Key)
	if err != nil {
		return err
	}
	sig, err := hex.DecodeString(c.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize || !ed25519.Verify(key, c.message(), sig) {
		return ErrBadSignature
	}
	return nil
}

// ParseKey reads a public key in the checkpoints' form: 64 lowercase hex
// digits.
func ParseKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize || s != strings.ToLower(s) {
		return nil, fmt.Errorf("%q is not an Ed25519 public key (64 lowercase hex digits)", short(s))
	}
	return ed25519.PublicKey(b), nil
}

// Fingerprint is how people compare a station's key: the SHA-256 of the
// 32 raw bytes of the public key (hex, as in the checkpoints), in hex,
// in 16 groups of 4 digits separated by spaces. A key that does not
// parse has the fingerprint of its text, so it still compares unequal to
// every real one.
func Fingerprint(key string) string {
	raw, err := hex.DecodeString(key)
	if err != nil {
		raw = []byte(key)
	}
	sum := sha256.Sum256(raw)
	h := hex.EncodeToString(sum[:])
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i : i+4])
	}
	return b.String()
}

// NormalFingerprint reads a fingerprint as a person types it: hex digits
// in any case, grouped by spaces, colons or dashes or not at all. It
// returns [Fingerprint]'s form, or an error for anything but 64 hex
// digits.
func NormalFingerprint(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f':
			b.WriteRune(r)
		case r == ' ' || r == ':' || r == '-' || r == '\t':
		default:
			return "", fmt.Errorf("fingerprint %q: only hex digits, spaces and colons", short(s))
		}
	}
	h := b.String()
	if len(h) != sha256.Size*2 {
		return "", fmt.Errorf("fingerprint %q: %d hex digits, want %d", short(s), len(h), sha256.Size*2)
	}
	var g strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			g.WriteByte(' ')
		}
		g.WriteString(h[i : i+4])
	}
	return g.String(), nil
}

// short is s cut to a length safe to quote in a message.
func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// StationKey is a station's public key as registered in the store, next
// to its checkpoints: the same station may have had several keys (a
// station set up again), each registered once.
type StationKey struct {
	Station string `json:"station"`
	Key     string `json:"key"` // lowercase hex, 32 bytes
	// Registered is when the key's first checkpoint was committed.
	Registered time.Time `json:"registered"`
}

// Trail is a store's trail as CheckTrail and NewExport read it, from one
// snapshot: the store's identity, the keys registered, and the rows.
type Trail struct {
	Store string
	Keys  []StationKey
	// Rows yields every entry in Seq order, each with the checkpoint whose
	// Seq is the entry's (nil for none), then, alone, every checkpoint
	// whose Seq no entry has (past the trail's end: entries were
	// deleted), in Seq order; a read error ends it. It can be ranged over
	// once. Checkpoints come with the entry they end at, so a reader
	// holds no more than the entries since the last checkpoint.
	Rows iter.Seq2[Row, error]
}

// Row is one step of a Trail. What Entry and Checkpoint point to may be
// reused for the next row (a store reads a million without a copy each):
// a reader that keeps them copies them.
type Row struct {
	Entry      *Entry      // nil for a checkpoint no entry has
	Checkpoint *Checkpoint // nil when no checkpoint ends at Entry
}
