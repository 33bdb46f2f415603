package store

import "loginshell/internal/audit"

// Checkpointer is this station's signing key as both stores use it
// (internal/station implements it; shell.Build hands it to the store it
// opens). A store opened with one signs a checkpoint for every
// transaction that appends audit entries, and stores it, with the
// station's public key, in that same transaction: an entry this station
// committed is never without its checkpoint, and the checkpoints form one
// chain (audit.Checkpoint).
type Checkpointer interface {
	// PublicKey is the key Sign signs with, lowercase hex: the store
	// reads the newest checkpoint of that key to link the next one to it
	// (audit.NextLink).
	PublicKey() string
	// Sign returns c signed: the store has set Store, Prev, From, Seq,
	// Hash and Link; Sign sets Station, Key, Time and Signature
	// (audit.SignCheckpoint). It is called inside the transaction, while
	// the store holds the chain's lock, so it must be quick and do no
	// I/O.
	Sign(c audit.Checkpoint) audit.Checkpoint
	// Committed is called after the transaction that stored c committed,
	// on the goroutine of the call that appended; it must not wait on
	// I/O (the station keeps its copy of c in its data directory from a
	// goroutine of its own). A transaction that did not commit is never
	// reported.
	Committed(c audit.Checkpoint)
}
