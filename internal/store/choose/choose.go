// Package choose opens the signature store a station uses: the SQLite
// file in its data directory (the default, nothing to set up), or the
// plant's PostgreSQL database that the --store flag or the signature_store
// setting names. The shell, `loginshell audit` and `loginshell signature`
// all open it here, so they agree on which store a data directory means.
package choose

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/store/postgres"
	"loginshell/internal/store/sqlite"
)

// File holds a station's signature requests and audit trail in its data
// directory when no database is named.
const File = "signatures.db"

// Embedded is the --store value that goes back to File (it clears the
// signature_store setting).
const Embedded = "embedded"

// openTimeout bounds opening the plant's database at start: an unreachable
// one is reported, not waited for.
const openTimeout = 30 * time.Second

// Store is what the shell and the commands need of a store: the engine's
// Backend, the trail for audit verify|show, and Close.
type Store interface {
	signature.Backend
	AuditEntries(ctx context.Context, fn func(audit.Entry) error) error
	Close() error
}

// DSN is the signature store a command uses: the --store flag when given
// (kept in the settings when keep is set, so the next start uses it too;
// "embedded" clears it), else the signature_store setting; "" means File
// in the data directory.
func DSN(st *settings.Store, flag string, keep bool) (string, error) {
	if flag == Embedded {
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

// Open opens the PostgreSQL database dsn names, or File in dataDir when
// dsn is "". where names it for messages, never with a password.
func Open(dataDir, dsn string) (db Store, where string, err error) {
	if dsn == "" {
		path := filepath.Join(dataDir, File)
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

// ForCommand opens the store a command run on dataDir means (storeFlag,
// else the data directory's setting, else File), creating the data
// directory for File.
func ForCommand(dataDir, storeFlag string) (Store, string, error) {
	st, err := settings.Open(filepath.Join(dataDir, "settings.json"))
	if err != nil {
		return nil, "", err
	}
	dsn, err := DSN(st, storeFlag, false)
	if err != nil {
		return nil, "", err
	}
	if dsn == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, "", fmt.Errorf("create the data directory %s: %w", dataDir, err)
		}
	}
	return Open(dataDir, dsn)
}
