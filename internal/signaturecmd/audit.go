package signaturecmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"loginshell/internal/audit"
)

// AuditTrail is what `loginshell audit` reads: the entries in order.
type AuditTrail interface {
	AuditEntries(ctx context.Context, fn func(audit.Entry) error) error
}

// Audit is `loginshell audit verify|show` over the trail stored at where.
// verify ends with Exit{1} naming the first altered, missing or reordered
// entry, so a script needs no parsing; show prints every entry, one line
// each or one JSON object each.
func Audit(ctx context.Context, trail AuditTrail, where, what string, asJSON bool, stdout, stderr io.Writer) error {
	entries := func(yield func(audit.Entry, error) bool) {
		stop := errors.New("stop")
		err := trail.AuditEntries(ctx, func(e audit.Entry) error {
			if !yield(e, nil) {
				return stop
			}
			return nil
		})
		if err != nil && !errors.Is(err, stop) {
			yield(audit.Entry{}, err)
		}
	}
	switch what {
	case "verify":
		n := 0
		counted := func(yield func(audit.Entry, error) bool) {
			for e, err := range entries {
				n++
				if !yield(e, err) {
					return
				}
			}
		}
		if err := audit.Verify(counted); err != nil {
			fmt.Fprintf(stderr, "loginshell audit verify: %v\n", err)
			return Exit{1}
		}
		fmt.Fprintf(stdout, "OK: the audit trail of %s is intact (%d entries)\n", where, n)
		return nil
	case "show":
		enc := json.NewEncoder(stdout)
		for e, err := range entries {
			if err != nil {
				return err
			}
			if asJSON {
				if err := enc.Encode(e); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(stdout, audit.Format(e))
			}
		}
		return nil
	}
	fmt.Fprintf(stderr, "loginshell audit: say verify or show, not %q\n", what)
	return Exit{ExitUsage}
}
