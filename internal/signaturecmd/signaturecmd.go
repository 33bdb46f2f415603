// Package signaturecmd is `loginshell signature`: the command line MES
// servers and scripts use to queue authorization requests, wait for their
// outcome and load signature templates, on the same store the stations
// use (the plant's PostgreSQL database, or a data directory's
// signatures.db).
//
// It goes through signature.Engine, so a request queued here is built as a
// page's is (its UUIDs, one slot per top-level AND clause) and leaves the
// same audit entries. The engine it builds posts no challenge and checks
// no password: a request queued here is triggered and signed at a station.
package signaturecmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"loginshell/internal/signature"
)

// Store is what the command needs of a signature store: the engine's
// Backend and Close. The PostgreSQL store is also a signature.Watcher,
// which --wait uses to hear of a change at once instead of at the next
// poll.
type Store interface {
	signature.Backend
	Close() error
}

// Options are the command's collaborators, wired by main.
type Options struct {
	// Open opens the store --data and --store name (store "" when --store
	// is not given) and says where it is, never with a password.
	Open func(ctx context.Context, dataDir, store string) (Store, string, error)
	// DataDir is --data's default.
	DataDir string
	// Station names this computer in the requests and the audit trail.
	Station string
	Now     func() time.Time
	// Poll is how often --wait reads the request's state (default 1 s; a
	// Watcher store wakes it sooner).
	Poll time.Duration
}

// Exit statuses of `signature queue --wait`, for scripts to branch on.
const (
	ExitApproved = 0
	ExitRejected = 1
	ExitUsage    = 2
	ExitFailed   = 3 // cancelled, timed out, or the store failed
)

// Exit ends the process with Code; what there was to say is printed.
type Exit struct{ Code int }

func (e Exit) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Synopsis is the usage of `loginshell signature`, for main's help.
const Synopsis = "loginshell signature queue [--data DIR] [--store DSN] --template NAME --name NAME [--description TEXT] [--wait] [--timeout D]\n" +
	"      queues an authorization request and prints its slots' UUIDs, one a line; --wait waits for its outcome\n" +
	"      (exit 0 approved, 1 rejected, 3 cancelled, timed out or failed) and prints who signed\n" +
	"  loginshell signature templates import [--data DIR] [--store DSN] FILE\n" +
	"      stores the templates of FILE (the templates.json format): same names are replaced, others stay"

// Run runs `loginshell signature` with args (after "signature"). It
// returns nil, an Exit, or an error main prints (exit status 1).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, o Options) error {
	if o.Open == nil || o.Now == nil {
		return errors.New("signaturecmd: Open and Now are required")
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if len(args) == 0 {
		return usage(stderr, "", "say queue or templates import")
	}
	switch verb := args[0]; {
	case verb == "-h" || verb == "-help" || verb == "--help":
		fmt.Fprintf(stdout, "Usage:\n  %s\n", Synopsis)
		return nil
	case verb == "queue":
		return runQueue(ctx, args[1:], stdout, stderr, o)
	case verb == "templates" && len(args) > 1 && args[1] == "import":
		return runImport(ctx, args[2:], stdout, stderr, o)
	case verb == "templates":
		return usage(stderr, "templates", "say templates import FILE")
	default:
		return usage(stderr, "", "unknown verb %q: say queue or templates import", verb)
	}
}

// usage is a command line that cannot be run: one line on stderr, exit
// status 2, as main's usageError.
func usage(stderr io.Writer, verb, format string, args ...any) error {
	cmd := strings.TrimSpace("signature " + verb)
	fmt.Fprintf(stderr, "loginshell %s: %s\nRun 'loginshell signature -h' for usage.\n", cmd, fmt.Sprintf(format, args...))
	return Exit{ExitUsage}
}

// flags is a verb's flag set with --data and --store; help goes to stdout.
func flags(verb string, o Options, dataDir, store *string) *flag.FlagSet {
	fs := flag.NewFlagSet("signature "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(dataDir, "data", o.DataDir, "data directory: its signature_store setting, else its signatures.db")
	fs.StringVar(store, "store", "", "the plant's PostgreSQL signature store (postgres://USER@HOST/DATABASE); default: the data directory's signature_store setting, else its signatures.db")
	return fs
}

// parse parses args; (true, nil) is help printed.
func parse(fs *flag.FlagSet, verb string, args []string, stdout, stderr io.Writer) (bool, error) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "Usage:\n  %s\n\nFlags:\n", Synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return true, nil
	}
	if err != nil {
		return false, usage(stderr, verb, "%v", err)
	}
	return false, nil
}

// engine opens the store and builds the engine over it.
func engine(ctx context.Context, o Options, dataDir, store string) (*signature.Engine, Store, error) {
	db, _, err := o.Open(ctx, dataDir, store)
	if err != nil {
		return nil, nil, err
	}
	e, err := signature.New(signature.Options{Store: db, Identities: map[string]signature.Identity{signature.IDPLocal: noIdentity{}},
		Poster: noPoster{}, Now: o.Now, Station: o.Station})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return e, db, nil
}

// noPoster is the command's Poster: there is no page here to post a
// challenge to. The command never triggers, so it is never asked.
type noPoster struct{}

func (noPoster) Post(string, string, signature.Challenge) error {
	return fmt.Errorf("%w: the command line shows no challenges; trigger the request at a station", signature.ErrNotPosted)
}
func (noPoster) Close(string) {}

// noIdentity is the command's local identity provider: nobody signs here.
type noIdentity struct{}

func (noIdentity) Verify(string, string) (signature.Signer, error) {
	return signature.Signer{}, fmt.Errorf("%w: sign at a station", signature.ErrUnsupported)
}

// ParseDuration reads --timeout: a Go duration ("90s", "10m"), or a
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
