package cli

import (
	"fmt"
	"strings"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/shell"
	"loginshell/internal/station"
)

const stationSynopsis = "loginshell station key|trust|forget-store [--data DIR]\n" +
	"      key: prints this station's name and key fingerprint, for the validation record (the key is made at first use)\n" +
	"  loginshell station trust [--data DIR] NAME FINGERPRINT\n" +
	"      accepts station NAME's new key (set up again) once its fingerprint was compared with NAME's validation record\n" +
	"  loginshell station forget-store [--data DIR] STORE\n" +
	"      stops audit verify naming store STORE as removed or replaced (archived on purpose, its export kept)"

// runStation is `loginshell station key|trust|forget-store`: the
// station's signing key (internal/station), which signs the checkpoints
// of the audit trail, and its copies of them.
func runStation(e *env, args []string) error {
	verb := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	}
	var dataDir string
	fs := newFlags("station")
	fs.StringVar(&dataDir, "data", e.dataDir, "data directory holding the station's key (station-key)")
	if help, err := e.parse("station", fs, args); help || err != nil {
		return err
	}
	rest := fs.Args()
	if verb == "" && len(rest) > 0 {
		verb, rest = rest[0], rest[1:]
	}
	switch {
	case verb == "key" && len(rest) == 0:
		fp, err := shell.StationFingerprint(dataDir, e.station)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "station %s\nkey fingerprint (SHA-256 of its Ed25519 public key): %s\n", e.station, fp)
		return nil
	case verb == "trust" && len(rest) == 2:
		fp, err := audit.NormalFingerprint(rest[1])
		if err != nil {
			return e.usageError("station", "%v", err)
		}
		if err := station.Trust(dataDir, rest[0], fp); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "this station now accepts the key %s for station %s\n", fp, rest[0])
		return nil
	case verb == "forget-store" && len(rest) == 1:
		c, ok, err := station.Forget(dataDir, rest[0])
		if err != nil {
			return err
		}
		if !ok {
			return e.usageError("station", "this station kept no checkpoint of store %q (audit verify names the stores it kept)", rest[0])
		}
		fmt.Fprintf(e.stdout, "this station no longer checks for store %s (its checkpoint #%d, signed %s, is forgotten): keep that store's export\n",
			rest[0], c.Seq, c.Time.UTC().Format(time.RFC3339))
		return nil
	case verb == "forget-store":
		return e.usageError("station", "say station forget-store STORE")
	case verb == "trust":
		return e.usageError("station", "say station trust NAME FINGERPRINT")
	case verb == "key":
		return e.usageError("station", "unexpected argument %q", rest[0])
	default:
		return e.usageError("station", "say key, trust or forget-store")
	}
}
