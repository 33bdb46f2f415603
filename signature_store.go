package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/signaturecmd"
	"loginshell/internal/store/postgres"
	"loginshell/internal/store/sqlite"
)

// signatureStore is what the shell and `loginshell audit` need of a store:
// the engine's Backend, the trail for audit verify|show, and Close.
type signatureStore interface {
	signature.Backend
	AuditEntries(ctx context.Context, fn func(audit.Entry) error) error
	Close() error
}

// storeOpenTimeout bounds opening the plant's database at start: an
// unreachable one is reported, not waited for.
const storeOpenTimeout = 30 * time.Second

// embeddedStore is the --store value that goes back to the SQLite file in
// the data directory (it clears the signature_store setting).
const embeddedStore = "embedded"

// storeDSN is the signature store a command uses: the --store flag when
// given (kept in the settings when keep is set, so the next start uses it
// too; "embedded" clears it), else the signature_store setting; "" means
// the SQLite file in the data directory.
func storeDSN(st *settings.Store, flag string, keep bool) (string, error) {
	if flag == embeddedStore {
		flag = ""
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

// openSignatureStore opens the PostgreSQL database dsn names, or the
// SQLite file in dataDir when dsn is "". where names it for messages,
// never with a password.
func openSignatureStore(dataDir, dsn string) (db signatureStore, where string, err error) {
	if dsn == "" {
		path := filepath.Join(dataDir, signaturesFile)
		s, err := sqlite.Open(path)
		if err != nil {
			return nil, "", fmt.Errorf("open the signature store: %w", err)
		}
		return s, path, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeOpenTimeout)
	defer cancel()
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	return s, s.Where(), nil
}

// runSignature is `loginshell signature` (internal/signaturecmd) over the
// store --data and --store name, as `audit` chooses it; its exit statuses
// are the process's.
func runSignature(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := signaturecmd.Run(ctx, args, stdout, stderr, signaturecmd.Options{
		Open: func(_ context.Context, dataDir, storeFlag string) (signaturecmd.Store, string, error) {
			st, err := settings.Open(filepath.Join(dataDir, "settings.json"))
			if err != nil {
				return nil, "", err
			}
			dsn, err := storeDSN(st, storeFlag, false)
			if err != nil {
				return nil, "", err
			}
			if dsn == "" {
				if err := os.MkdirAll(dataDir, 0o700); err != nil {
					return nil, "", fmt.Errorf("create the data directory %s: %w", dataDir, err)
				}
			}
			return openSignatureStore(dataDir, dsn)
		},
		DataDir: defaultDataDir(), Station: station(), Now: time.Now,
	})
	var exit signaturecmd.Exit
	if errors.As(err, &exit) {
		return exitCode(exit.Code)
	}
	return err
}
