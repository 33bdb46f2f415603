package shell

// What a station's first use of its signature store opens (lazyStore):
// the station's key, the store, the templates the start-up read, and the
// follower of the store's alerts.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"loginshell/internal/alert"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
	"loginshell/internal/station"
)

// signaturesOptions is what openSignatures needs from Build.
type signaturesOptions struct {
	dataDir, dsn, station string
	// templates are the start-up's (readTemplates), from templatesFile.
	templates     []signature.Template
	templatesFile string
	notices       *alert.Notices
	log           *slog.Logger
}

// openSignatures opens the station's key (made at its first use), the
// signature store it signs checkpoints for, stores the start-up's
// templates and starts following the store's alerts. undo stops the
// follower, then closes the store, then the key; on an error nothing is
// left open.
func openSignatures(o signaturesOptions) (db SignatureStore, undo func(), err error) {
	// The station's key signs a checkpoint for every transaction that
	// appends to the trail, inside it; its own copy of the latest is
	// written by its goroutine after the commit. Closed after the store.
	stn, err := station.Open(station.Options{Dir: o.dataDir, Name: o.station, Now: time.Now, Location: storeLocation(o.dataDir, o.dsn),
		Log: o.log.With("component", "station")})
	if err != nil {
		return nil, nil, fmt.Errorf("open the station's key: %w", err)
	}
	db, where, err := openStore(o.dataDir, o.dsn, stn)
	if err != nil {
		stn.Close()
		return nil, nil, err
	}
	o.log.Info("signature store", "where", where, "station", o.station, "key", stn.Fingerprint())
	closeStore := func() { _ = db.Close(); _ = stn.Close() }
	if err := storeTemplates(db, o.station, o.templatesFile, o.templates); err != nil {
		closeStore()
		return nil, nil, err
	}
	// The follower starts from the trail's end as it is now, read before
	// the first use goes on, so no alert that use raises is missed. It
	// ends, and its last read with it, before the store closes.
	ctx, stop := context.WithCancel(context.Background())
	head, headErr := alert.Head(ctx, db)
	// After the head: the follower shows these in the chrome too.
	alertReplaced(db, o)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		followAlerts(ctx, db, head, headErr, o.notices, o.log.With("component", "alert"))
	}()
	return db, func() { stop(); <-followed; closeStore() }, nil
}

// alertReplaced writes an alert for each store this station signed in
// where db is now that is not db (station.Replaced: the store removed and
// made again, or emptied under a new identity), so the operator hears of
// it at once, not only from `audit verify`.
func alertReplaced(db SignatureStore, o signaturesOptions) {
	ider, ok := db.(interface{ Identity() string })
	if !ok {
		return
	}
	gone, err := station.Replaced(o.dataDir, storeLocation(o.dataDir, o.dsn), ider.Identity())
	if err != nil {
		o.log.Warn("this station's copies of its checkpoints were not read", "err", err)
		return
	}
	if len(gone) == 0 {
		return
	}
	sigs, err := CommandEngine(db, o.station, time.Now)
	if err != nil {
		o.log.Error("a replaced signature store is not in the audit trail", "err", err)
		return
	}
	ctx := signature.ActingAs(context.Background(), OSActor()+", at start")
	for _, g := range gone {
		if err := sigs.RecordAlert(ctx, g); err != nil {
			o.log.Error("a replaced signature store is not in the audit trail", "detail", g, "err", err)
		}
	}
}

// plantRetry is how long a station waits before trying again to open a
// plant's database that did not answer.
const plantRetry = 10 * time.Second

// openPlantStore opens db (a plant's PostgreSQL store) at once, and again
// every plantRetry while it does not answer, until it is open or ctx ends;
// each new error is logged once. A signature asked for meanwhile opens it
// itself, or gets the error.
func openPlantStore(ctx context.Context, db *lazyStore, log *slog.Logger) {
	last := ""
	for {
		_, err := db.store()
		if err == nil || errors.Is(err, errStoreClosed) {
			return
		}
		if err.Error() != last {
			log.Warn("the signature store does not answer; trying again", "err", err)
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(plantRetry):
		}
	}
}

// readTemplates reads and checks DIR/templates.json (a bad file is
// refused with the entry and field at fault), and with demo adds the
// demo's template. A template of the demo's name in templates.json is the
// plant's and stands (a shorter timeout, say): were the demo's stored
// after it, every open would replace each by the other, two template
// entries in the trail for nothing that changed.
func readTemplates(path string, demo bool) ([]signature.Template, error) {
	var ts []signature.Template
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if ts, err = signature.ParseTemplates(data); err != nil {
			return nil, err
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	for _, t := range ts {
		if err := signature.ValidateTemplate(t); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if demo && !slices.ContainsFunc(ts, func(t signature.Template) bool { return strings.EqualFold(t.Name, demoTemplate.Name) }) {
		ts = append(ts, demoTemplate)
	}
	return ts, nil
}

// storeTemplates stores ts in db through an engine of its own (the
// shell's engine reaches db through the lazyStore being opened), each only
// when it differs from the stored one, so an open writes nothing to the
// audit trail for what did not change.
func storeTemplates(db signature.Backend, stationName, path string, ts []signature.Template) error {
	if len(ts) == 0 {
		return nil
	}
	sigs, err := CommandEngine(db, stationName, time.Now)
	if err != nil {
		return err
	}
	ctx := signature.ActingAs(context.Background(), OSActor()+", "+path+" at start")
	for _, t := range ts {
		if have, err := sigs.Template(ctx, t.Name); err == nil && have == t {
			continue
		}
		if err := sigs.PutTemplate(ctx, t); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// alertPoll is how often a station reads the store for alerts raised
// anywhere on it.
const alertPoll = time.Second

// followAlerts shows in the chrome each alert any station on the store
// raises after head (the trail's end when the store opened; headErr if it
// could not be read, and then it is read again), reading the trail every
// alertPoll until ctx ends. A store that does not answer is logged once
// per change of what it says, not at every poll, and read again.
func followAlerts(ctx context.Context, db alert.Trail, head int64, headErr error, notices *alert.Notices, log *slog.Logger) {
	last := ""
	failed := func(err error) {
		if err.Error() != last {
			log.Warn("signature alerts not read from the store; trying again", "err", err)
		}
		last = err.Error()
	}
	for err := headErr; err != nil; head, err = alert.Head(ctx, db) {
		failed(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(alertPoll):
		}
	}
	_ = alert.Follow(ctx, db, head, alertPoll, func(e audit.Entry) { last = ""; notices.Alert(e) }, failed)
}

// Station names this computer in signatures and the audit trail.
func Station() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "this computer"
}
