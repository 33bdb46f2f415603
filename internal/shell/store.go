package shell

// The signature store a station uses: the SQLite file in its data
// directory (the default, nothing to set up), or the plant's PostgreSQL
// database that the --store flag or the signature_store setting names.
// The shell, `loginshell audit` and `loginshell signature` all open it
// here, so they agree on which store a data directory means.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/station"
	"loginshell/internal/store"
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
// engine's Backend, the trail and the requests for audit verify|show|export,
// the alerts for audit alerts and the chrome's notices (alert.Trail), and
// Close.
type SignatureStore interface {
	signature.Backend
	AuditEntries(ctx context.Context, fn func(audit.Entry) error) error
	AuditTrail(ctx context.Context, fn func(audit.Trail) error) error
	AuditRecords(ctx context.Context, fn func(requests iter.Seq2[signature.Request, error], t audit.Trail) error) error
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
// dsn is "", signing checkpoints with cp (nil: none, for reading). where
// names it for messages, never with a password.
func openStore(dataDir, dsn string, cp store.Checkpointer) (db SignatureStore, where string, err error) {
	var sopts []sqlite.Option
	var popts []postgres.Option
	if cp != nil {
		sopts, popts = append(sopts, sqlite.WithCheckpointer(cp)), append(popts, postgres.WithCheckpointer(cp))
	}
	if dsn == "" {
		path := filepath.Join(dataDir, StoreFile)
		s, err := sqlite.Open(path, sopts...)
		if err != nil {
			return nil, "", fmt.Errorf("open the signature store: %w", err)
		}
		return s, path, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	s, err := postgres.Open(ctx, dsn, popts...)
	if err != nil {
		return nil, "", err
	}
	return s, s.Where(), nil
}

// storeLocation is where the store a data directory means is, whatever
// its identity: the SQLite file's absolute path, or the PostgreSQL
// database's hosts and name (postgres.Location). The station keeps it
// beside its own copy of its checkpoints (station.Options.Location).
func storeLocation(dataDir, dsn string) string {
	if dsn != "" {
		return postgres.Location(dsn)
	}
	path, err := filepath.Abs(filepath.Join(dataDir, StoreFile))
	if err != nil {
		return ""
	}
	return "file " + path
}

// StoreLocation is where the store a command run on dataDir means is
// (storeLocation): what `audit verify` finds this station's copies of
// its checkpoints under.
func StoreLocation(dataDir, storeFlag string) (string, error) {
	dsn, err := commandDSN(dataDir, storeFlag)
	if err != nil {
		return "", err
	}
	return storeLocation(dataDir, dsn), nil
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
//
// The store signs no checkpoint: it is for commands that read (audit).
// A command that writes opens it with OpenStation, or its entries are
// ones no station's key vouches for.
func OpenStore(dataDir, storeFlag string, create bool) (db SignatureStore, where string, err error) {
	dsn, err := commandDSN(dataDir, storeFlag)
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
	return openStore(dataDir, dsn, nil)
}

// OpenStation opens the signature store of dataDir as OpenStore does
// with create, for a command that writes to it as station name (the name
// its entries carry): the station's key (made at first use) signs a
// checkpoint for each transaction, as the shell's do. Closing the store
// also writes the station's copy of its latest checkpoint.
func OpenStation(dataDir, storeFlag, name string) (db SignatureStore, where string, err error) {
	dsn, err := commandDSN(dataDir, storeFlag)
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create the data directory %s: %w", dataDir, err)
	}
	stn, err := station.Open(station.Options{Dir: dataDir, Name: name, Now: time.Now, Location: storeLocation(dataDir, dsn)})
	if err != nil {
		return nil, "", fmt.Errorf("open the station's key: %w", err)
	}
	db, where, err = openStore(dataDir, dsn, stn)
	if err != nil {
		stn.Close()
		return nil, "", err
	}
	return stationStore{db, stn}, where, nil
}

// commandDSN is the store a command on dataDir means (storeDSN), the
// setting left as it is.
func commandDSN(dataDir, storeFlag string) (string, error) {
	st, err := settings.Open(filepath.Join(dataDir, "settings.json"))
	if err != nil {
		return "", err
	}
	return storeDSN(st, storeFlag, false)
}

// stationStore is a store that closes its station after itself.
type stationStore struct {
	SignatureStore
	station *station.Station
}

func (s stationStore) Close() error {
	return errors.Join(s.SignatureStore.Close(), s.station.Close())
}

// StationFingerprint is the fingerprint of the key of the station whose
// data directory is dataDir, made there if it has none yet (`loginshell
// station key`, for the validation record).
func StationFingerprint(dataDir, name string) (string, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("create the data directory %s: %w", dataDir, err)
	}
	stn, err := station.Open(station.Options{Dir: dataDir, Name: name, Now: time.Now})
	if err != nil {
		return "", fmt.Errorf("open the station's key: %w", err)
	}
	defer stn.Close()
	return stn.Fingerprint(), nil
}
