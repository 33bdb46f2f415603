package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"os/signal"
	"strings"
	"time"

	"loginshell/internal/alert"
	"loginshell/internal/audit"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
	"loginshell/internal/station"
)

const auditSynopsis = "loginshell audit verify|show|alerts [--json] [--follow] [--data DIR] [--store DSN]\n" +
	"      checks the signatures' audit trail (exit 1 if it was changed), prints it, or prints its alerts\n" +
	"      (lockouts, repeated failed attempts; --follow: and each new one, until interrupted)" +
	auditTrailSynopsis

// runAudit checks the audit trail of the data directory's store (verify:
// exit 1 naming the first altered, missing or reordered entry, and every
// way the trail differs from what its stations signed), prints it (show),
// prints its alerts (alerts, with --follow until SIGINT), or checks or
// writes an auditor's copy (verify --export, export). The verb may come
// before or after the flags.
func runAudit(e *env, args []string) error {
	verb := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:] // audit verify --data DIR: the verb first, then its flags
	}
	var dataDir, storeFlag string
	var asJSON, follow bool
	fs := newFlags("audit")
	fs.StringVar(&dataDir, "data", e.dataDir, "data directory holding signatures.db")
	fs.BoolVar(&asJSON, "json", false, "show, alerts: one JSON object per entry")
	fs.BoolVar(&follow, "follow", false, "alerts: keep printing each new alert, reading the store every second, until interrupted")
	fs.StringVar(&storeFlag, "store", "", "the plant's PostgreSQL signature store (postgres://USER@HOST/DATABASE); default: the data directory's signature_store setting, else its signatures.db")
	tf := addTrailFlags(fs)
	if help, err := e.parse("audit", fs, args); help || err != nil {
		return err
	}
	rest := fs.Args()
	if verb == "" && len(rest) > 0 {
		verb, rest = rest[0], rest[1:]
	}
	switch {
	case verb == "export" && len(rest) != 1:
		return e.usageError("audit", "name the file to write: audit export [--request UUID] [--since T] FILE")
	case (verb == "verify" || verb == "show" || verb == "alerts") && len(rest) > 0:
		return e.usageError("audit", "unexpected argument %q", rest[0])
	case verb != "verify" && verb != "show" && verb != "alerts" && verb != "export":
		return e.usageError("audit", "say verify, show, alerts or export")
	case follow && verb != "alerts":
		return e.usageError("audit", "--follow is for audit alerts")
	}
	if err := tf.validate(verb, e.now()); err != nil {
		return e.usageError("audit", "%v", err)
	}
	if verb == "verify" && tf.export != "" {
		return verifyExport(tf.export, tf.fingerprints, e.stdout, e.stderr)
	}
	location, err := shell.StoreLocation(dataDir, storeFlag)
	if err != nil {
		return err
	}
	db, where, err := e.openStore(dataDir, storeFlag, false)
	if errors.Is(err, shell.ErrNoTrail) {
		// No store where this station signed in one is a trail deleted
		// or moved away, not a station that never signed.
		gone, keptErr := station.Replaced(dataDir, location, "")
		if keptErr != nil {
			return keptErr
		}
		if len(gone) == 0 {
			fmt.Fprintf(e.stderr, "loginshell audit: %v\n", err)
		}
		for _, g := range gone {
			fmt.Fprintf(e.stderr, "loginshell audit: %s\n", g)
		}
		return exitCode(exitFailed)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	switch verb {
	case "alerts":
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
		return printAlerts(ctx, db, follow, e.poll, asJSON, e.stdout, e.stderr)
	case "verify":
		defer verifyGC()()
		return verifyStore(ctx, db, where, location, dataDir, tf.fingerprints, e.stdout, e.stderr)
	case "export":
		return exportTrail(ctx, db, rest[0], tf.exportFilter(), e.now(), e.stdout)
	default:
		tf.table = tf.table || (!tf.lines && !asJSON && isTerminal(e.stdout))
		return showAudit(ctx, db, tf, asJSON, e.stdout)
	}
}

// recordReader is a store that can also give every request it holds, with
// the trail from one snapshot, so verify compares them (signature.Records).
type recordReader interface {
	AuditRecords(ctx context.Context, fn func(requests iter.Seq2[signature.Request, error], t audit.Trail) error) error
}

// headText names the last entry verified: its number and hash, what a
// validation record notes to compare later runs with.
func headText(e audit.Entry) string {
	if e.Seq == 0 {
		return "none"
	}
	return fmt.Sprintf("#%d %s", e.Seq, e.Hash)
}

// printAlerts is `loginshell audit alerts`: every alert of the trail, in
// order, one line each as `audit show` prints entries (or one JSON object
// each); with follow, then each new one as it is appended, reading the
// trail every poll, until ctx ends (SIGINT), which is a success. A read
// that fails while following is said on stderr (once until it changes)
// and tried again.
func printAlerts(ctx context.Context, trail alert.Trail, follow bool, poll time.Duration, asJSON bool, stdout, stderr io.Writer) error {
	enc := json.NewEncoder(stdout)
	show := func(e audit.Entry) {
		if asJSON {
			_ = enc.Encode(e)
			return
		}
		fmt.Fprintln(stdout, audit.Format(e))
	}
	if !follow {
		_, err := trail.AuditEvents(ctx, audit.EventAlert, 0, func(e audit.Entry) error { show(e); return nil })
		return err
	}
	said := ""
	return alert.Follow(ctx, trail, 0, poll, func(e audit.Entry) { said = ""; show(e) }, func(err error) {
		if err.Error() != said {
			fmt.Fprintf(stderr, "loginshell audit alerts: %v; trying again\n", err)
		}
		said = err.Error()
	})
}
