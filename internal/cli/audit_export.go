package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"loginshell/internal/atomicfile"
	"loginshell/internal/audit"
)

// exportTrail is `audit export FILE`: what filter selects (nil: the
// whole trail), with the keys and checkpoints that vouch for it, written
// atomically to file (0600: it holds names and comments). A filter that
// selects nothing is exit status 1.
func exportTrail(ctx context.Context, trail trailReader, file string, filter *audit.ExportFilter, now time.Time, stdout io.Writer) error {
	var x audit.Export
	err := trail.AuditTrail(ctx, func(t audit.Trail) error {
		var err error
		x, err = audit.NewExport(t, filter, now)
		return err
	})
	if errors.Is(err, audit.ErrNothingSelected) {
		return fmt.Errorf("audit export: %w", err)
	}
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		return err
	}
	if err := atomicfile.Write(file, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	what := fmt.Sprintf("%d entries", len(x.Entries))
	if n := len(x.Entries); n > 0 {
		what = fmt.Sprintf("%d entries, #%d to #%d", n, x.Entries[0].Seq, x.Entries[n-1].Seq)
	}
	if filter != nil {
		what += fmt.Sprintf(", %d selected", len(x.Selected))
	}
	fmt.Fprintf(stdout, "wrote %s (%s; %d checkpoints, %d station keys)\ncheck it with: loginshell audit verify --export %s --fingerprint FP ... (each station's from its validation record)\n",
		file, what, len(x.Checkpoints), len(x.Keys), file)
	return nil
}
