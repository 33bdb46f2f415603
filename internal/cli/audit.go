package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"loginshell/internal/alert"
	"loginshell/internal/audit"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
)

const auditSynopsis = "loginshell audit verify|show|alerts [--json] [--follow] [--data DIR] [--store DSN]\n" +
	"      checks the signatures' audit trail (exit 1 if it was changed), prints it, or prints its alerts\n" +
	"      (lockouts, repeated failed attempts; --follow: and each new one, until interrupted)"

// runAudit checks the audit trail of the data directory's store (verify:
// exit 1 naming the first altered, missing or reordered entry), prints it
// (show), or prints its alerts (alerts, with --follow until SIGINT). The
// verb may come before or after the flags.
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
	if help, err := e.parse("audit", fs, args); help || err != nil {
		return err
	}
	if verb == "" && fs.NArg() > 0 {
		verb = fs.Arg(0)
	}
	if (verb != "verify" && verb != "show" && verb != "alerts") || fs.NArg() > 1 || (fs.NArg() == 1 && fs.Arg(0) != verb) {
		return e.usageError("audit", "say verify, show or alerts")
	}
	if follow && verb != "alerts" {
		return e.usageError("audit", "--follow is for audit alerts")
	}
	db, where, err := e.openStore(dataDir, storeFlag, false)
	if errors.Is(err, shell.ErrNoTrail) {
		fmt.Fprintf(e.stderr, "loginshell audit: %v\n", err)
		return exitCode(exitFailed)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "alerts" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return printAlerts(ctx, db, follow, e.poll, asJSON, e.stdout, e.stderr)
	}
	return printAudit(context.Background(), db, where, verb, asJSON, e.stdout, e.stderr)
}

// requestReader is a store that can also give every request it holds, so
// verify compares them with the trail (signature.CheckRecords).
type requestReader interface {
	Requests(ctx context.Context) ([]signature.Request, error)
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

// auditReader is what `loginshell audit` reads: the entries in order.
type auditReader interface {
	AuditEntries(ctx context.Context, fn func(audit.Entry) error) error
}

// printAudit is `loginshell audit verify|show` over the trail stored at
// where. verify ends with exit status 1 naming the first altered, missing or reordered
// entry, so a script needs no parsing; show prints every entry, one line
// each or one JSON object each.
func printAudit(ctx context.Context, trail auditReader, where, what string, asJSON bool, stdout, stderr io.Writer) error {
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
		var head audit.Entry
		var ofRequests []audit.Entry // what CheckRecords compares with the store
		counted := func(yield func(audit.Entry, error) bool) {
			for e, err := range entries {
				n++
				head = e
				if e.Request != "" {
					ofRequests = append(ofRequests, e)
				}
				if !yield(e, err) {
					return
				}
			}
		}
		if err := audit.Verify(counted); err != nil {
			fmt.Fprintf(stderr, "loginshell audit verify: %v\n", err)
			return exitCode(exitFailed)
		}
		checked := ""
		if rs, ok := trail.(requestReader); ok {
			requests, err := rs.Requests(ctx)
			if err != nil {
				return err
			}
			if problems := signature.CheckRecords(requests, ofRequests); len(problems) > 0 {
				for _, p := range problems {
					fmt.Fprintf(stderr, "loginshell audit verify: %s\n", p)
				}
				return exitCode(exitFailed)
			}
			checked = fmt.Sprintf("; %d requests and their signatures match it", len(requests))
		}
		fmt.Fprintf(stdout, "OK: the audit trail of %s is intact (%d entries, head %s)%s\n", where, n, headText(head), checked)
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
	return exitCode(exitUsage)
}
