package shell

// The signature store a station uses: the SQLite file in its data
// directory (the default, nothing to set up), or the plant's PostgreSQL
// database that the --store flag or the signature_store setting names.
// The shell, `loginshell audit` and `loginshell signature` all open it
// here, so they agree on which store a data directory means.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/store/postgres"
	"loginshell/internal/store/sqlite"
)

// StoreFile holds a station's signature requests and audit trail in its data
// directory when no database is named.
const StoreFile = "signatures.db"

// EmbeddedStore is the --store value that goes back to StoreFile (it clears the
// signature_store setting).
const EmbeddedStore = "embedded"

// openTimeout bounds opening the plant's database at start: an unreachable
// one is reported, not waited for.
const openTimeout = 30 * time.Second

// SignatureStore is what the shell and the commands need of a store: the
// engine's Backend, the trail and the requests for audit verify|show, the
// alerts for audit alerts and the chrome's notices (alert.Trail), and
// Close.
type SignatureStore interface {
	signature.Backend
	AuditEntries(ctx context.Context, fn func(audit.Entry) error) error
	Requests(ctx context.Context) ([]signature.Request, error)
	AuditEvents(ctx context.Context, event string, after int64, fn func(audit.Entry) error) (int64, error)
	Close() error
}

// storeDSN is the signature store a command uses: the --store flag when given
// (kept in the settings when keep is set, so the next start uses it too;
// EmbeddedStore clears it), else the signature_store setting; "" means StoreFile
// in the data directory.
func storeDSN(st *settings.Store, flag string, keep bool) (string, error) {
	if flag == EmbeddedStore {
		if keep {
			return "", st.Set(settings.SignatureStore, "")
		}
		return "", nil
	}
	if flag != "" && keep {
		if err := st.Set(settings.SignatureStore, flag); err != nil {
			return "", err
		}
	}
	if flag != "" {
		return flag, nil
	}
	return st.String(settings.SignatureStore), nil
}

// openStore opens the PostgreSQL database dsn names, or StoreFile in dataDir when
// dsn is "". where names it for messages, never with a password.
func openStore(dataDir, dsn string) (db SignatureStore, where string, err error) {
	if dsn == "" {
		path := filepath.Join(dataDir, StoreFile)
		s, err := sqlite.Open(path)
		if err != nil {
			return nil, "", fmt.Errorf("open the signature store: %w", err)
		}
		return s, path, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	return s, s.Where(), nil
}

// ErrNoTrail is what OpenStore returns, without create, for a data
// directory whose signatures.db does not exist: nothing was ever signed
// there (audit says so rather than create an empty trail).
var ErrNoTrail = fault.New(fault.NotFound, "no signature has been recorded")

// OpenStore opens the signature store a command run on dataDir means:
// storeFlag (--store), else the data directory's signature_store setting,
// else its StoreFile. With create, a missing data directory and StoreFile
// are created; without it, a missing StoreFile is ErrNoTrail, naming the
// file and the directory. where names the store for messages, never with
// a password.
func OpenStore(dataDir, storeFlag string, create bool) (db SignatureStore, where string, err error) {
	st, err := settings.Open(filepath.Join(dataDir, "settings.json"))
	if err != nil {
		return nil, "", err
	}
	dsn, err := storeDSN(st, storeFlag, false)
	if err != nil {
		return nil, "", err
	}
	if dsn == "" {
		path := filepath.Join(dataDir, StoreFile)
		if !create {
			if _, err := os.Stat(path); err != nil {
				return nil, "", fmt.Errorf("%s does not exist: %w in %s", path, ErrNoTrail, dataDir)
			}
		} else if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, "", fmt.Errorf("create the data directory %s: %w", dataDir, err)
		}
	}
	return openStore(dataDir, dsn)
}
