package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"loginshell/internal/audit"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
)

const auditSynopsis = "loginshell audit verify|show [--json] [--data DIR] [--store DSN]\n      checks the signatures' audit trail (exit 1 if it was changed), or prints it" +
	auditTrailSynopsis

// runAudit checks the audit trail of the data directory's store (verify:
// exit 1 naming the first altered, missing or reordered entry, and every
// way the trail differs from what its stations signed) or prints it
// (show), or checks or writes an auditor's copy (verify --export,
// export). The verb may come before or after the flags.
func runAudit(e *env, args []string) error {
	verb := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:] // audit verify --data DIR: the verb first, then its flags
	}
	var dataDir, storeFlag string
	var asJSON bool
	fs := newFlags("audit")
	fs.StringVar(&dataDir, "data", e.dataDir, "data directory holding signatures.db")
	fs.BoolVar(&asJSON, "json", false, "show: one JSON object per entry")
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
	case (verb == "verify" || verb == "show") && len(rest) > 0:
		return e.usageError("audit", "unexpected argument %q", rest[0])
	case verb != "verify" && verb != "show" && verb != "export":
		return e.usageError("audit", "say verify, show or export")
	}
	if err := tf.validate(verb, e.now()); err != nil {
		return e.usageError("audit", "%v", err)
	}
	if verb == "verify" && tf.export != "" {
		return verifyExport(tf.export, tf.fingerprints, e.stdout, e.stderr)
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
	ctx := context.Background()
	switch verb {
	case "verify":
		return verifyStore(ctx, db, where, dataDir, tf.fingerprints, e.stdout, e.stderr)
	case "export":
		return exportTrail(ctx, db, rest[0], tf.exportFilter(), e.now(), e.stdout)
	default:
		tf.table = tf.table || (!tf.lines && !asJSON && isTerminal(e.stdout))
		return showAudit(ctx, db, tf, asJSON, e.stdout)
	}
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
