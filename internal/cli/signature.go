package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"loginshell/internal/shell"
	"loginshell/internal/signature"
)

// `loginshell signature` is the command line MES servers and scripts use
// to queue authorization requests, wait for their outcome and load
// signature templates, on the same store the stations use (the plant's
// PostgreSQL database, or a data directory's signatures.db).
//
// It goes through signature.Engine, so a request queued here is built as a
// page's is (its UUIDs, one slot per top-level AND clause) and leaves the
// same audit entries. The engine posts no challenge and checks no
// password: a request queued here is triggered and signed at a station.

// Exit statuses of `signature queue --wait`, for scripts to branch on.
const (
	exitApproved = 0
	exitRejected = 1
	exitWaitFail = 3 // cancelled, timed out, or the store failed
)

const signatureSynopsis = "loginshell signature queue [--data DIR] [--store DSN] --template NAME --name NAME [--description TEXT] [--record FILE] [--to PACKAGE] [--wait] [--timeout D]\n" +
	"      queues an authorization request and prints its slots' UUIDs, one a line; --wait waits for its outcome\n" +
	"      (exit 0 approved, 1 rejected, 3 cancelled, timed out or failed) and prints who signed\n" +
	"  loginshell signature templates import [--data DIR] [--store DSN] FILE\n" +
	"      stores the templates of FILE (the templates.json format): same names are replaced, others stay"

// runSignature runs `loginshell signature` with args (after "signature")
// until it ends or SIGINT or SIGTERM cancels it.
func runSignature(e *env, args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) == 0 {
		return e.signatureUsage("", "say queue or templates import")
	}
	switch verb := args[0]; {
	case verb == "-h" || verb == "-help" || verb == "--help":
		e.printHelp(signatureSynopsis, newFlags("signature"))
		return nil
	case verb == "queue":
		return runQueue(ctx, e, args[1:])
	case verb == "templates" && len(args) > 1 && args[1] == "import":
		return runImport(ctx, e, args[2:])
	case verb == "templates":
		return e.signatureUsage("templates", "say templates import FILE")
	default:
		return e.signatureUsage("", "unknown verb %q: say queue or templates import", verb)
	}
}

// signatureUsage is a command line that cannot be run: one line on
// stderr, exit status 2, as usageError.
func (e *env) signatureUsage(verb, format string, args ...any) error {
	cmd := strings.TrimSpace("signature " + verb)
	fmt.Fprintf(e.stderr, "loginshell %s: %s\nRun 'loginshell signature -h' for usage.\n", cmd, fmt.Sprintf(format, args...))
	return exitCode(exitUsage)
}

// signatureFlags is a verb's flag set with --data and --store; help goes
// to stdout.
func (e *env) signatureFlags(verb string, dataDir, store *string) *flag.FlagSet {
	fs := newFlags("signature " + verb)
	fs.StringVar(dataDir, "data", e.dataDir, "data directory: its signature_store setting, else its signatures.db")
	fs.StringVar(store, "store", "", "the plant's PostgreSQL signature store (postgres://USER@HOST/DATABASE); default: the data directory's signature_store setting, else its signatures.db")
	return fs
}

// parseSignature parses args; (true, nil) is help printed.
func (e *env) parseSignature(fs *flag.FlagSet, verb string, args []string) (bool, error) {
	err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		e.printHelp(signatureSynopsis, fs)
		return true, nil
	}
	if err != nil {
		return false, e.signatureUsage(verb, "%v", err)
	}
	return false, nil
}

// signatureEngine opens the store and builds the command's engine over
// it (shell.CommandEngine).
func (e *env) signatureEngine(dataDir, store string) (*signature.Engine, shell.SignatureStore, error) {
	db, _, err := shell.OpenStation(dataDir, store, e.station)
	if err != nil {
		return nil, nil, err
	}
	eng, err := shell.CommandEngine(db, e.station, e.now)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return eng, db, nil
}

// parseDuration reads --timeout: a Go duration ("90s", "10m"), or a
// whole number of seconds.
func parseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err == nil && fmt.Sprint(n) == s {
		return time.Duration(n) * time.Second, nil
	}
	return 0, fmt.Errorf("--timeout %q: use a duration such as 90s or 10m", s)
}

// readFile is os.ReadFile bounded: a templates file is small.
func readFile(path string) ([]byte, error) {
	const max = 4 << 20
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if len(data) > max {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, max>>20)
	}
	return data, nil
}
