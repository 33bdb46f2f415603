package shell_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/signature"
	"loginshell/internal/station"
)

// exists reports whether DIR/name is there.
func exists(t *testing.T, dir, name string) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(dir, name))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// A station that never signs never opens its signature store (issue 24.4):
// the shell starts without the station's key, SQLite or the templates,
// and its first use opens all of them, templates.json's templates stored.
func TestTheSignatureStoreOpensAtItsFirstUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tmpl := `[{"name": "Batch Release", "expression": "{role:QA}", "meaning": "Approval: I release this batch."}]`
	if err := os.WriteFile(filepath.Join(dir, "templates.json"), []byte(tmpl), 0o600); err != nil {
		t.Fatal(err)
	}
	sh := shelltest.New(t, shelltest.Options{DataDir: dir, Offline: true})
	// A page that hears outcomes tells the store what it hears (Hear),
	// which is no use of it.
	_, stop := sh.Signatures.Subscribe("a page's session")
	defer stop()
	for _, name := range []string{shell.StoreFile, station.KeyFile} {
		if exists(t, dir, name) {
			t.Errorf("%s exists before anything used the signature store", name)
		}
	}
	got, err := sh.Signatures.Template(context.Background(), "batch release")
	if err != nil {
		t.Fatalf("the first use: %v", err)
	}
	if got.Name != "Batch Release" || got.Meaning != "Approval: I release this batch." {
		t.Errorf("templates.json's template in the store = %+v", got)
	}
	for _, name := range []string{shell.StoreFile, station.KeyFile} {
		if !exists(t, dir, name) {
			t.Errorf("%s does not exist after the first use", name)
		}
	}
	sh.Close()
	_, err = sh.Signatures.Templates(context.Background())
	if fault.KindOf(err) != fault.Unavailable || !strings.Contains(err.Error(), "closing") {
		t.Errorf("a use after Close = %v, want the shell closing (Unavailable)", err)
	}
}

// An open that fails is that use's error, and the next use tries again.
func TestAFailedOpenIsTriedAgain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	blocker := filepath.Join(dir, shell.StoreFile)
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o700); err != nil { // a directory where the file goes
		t.Fatal(err)
	}
	sh := shelltest.New(t, shelltest.Options{DataDir: dir, Offline: true})
	if _, err := sh.Signatures.Templates(context.Background()); err == nil {
		t.Fatal("the store opened over a directory")
	}
	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	if _, err := sh.Signatures.Templates(context.Background()); err != nil {
		t.Fatalf("the use after the failed open: %v", err)
	}
}

// A bad templates.json still stops the start, naming the entry at fault
// (and Build returns the error: it used to panic on any error, closing a
// nil shell).
func TestABadTemplatesFileIsRefusedAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "templates.json")
	if err := os.WriteFile(file, []byte(`[{"name": "No Expression"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	signIn := func(*screen.Screen, *settings.Store) (online.ProviderOptions, error) {
		return online.ProviderOptions{Open: func(context.Context, string) error { return nil }}, nil
	}
	sh, err := shell.Build(shell.Config{DataDir: dir, Offline: true, SignIn: signIn,
		KeychainParams: shelltest.CheapParams, InsecureAllowWeakParams: true})
	if err == nil {
		sh.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "templates.json: entry 1") {
		t.Fatalf("Build = %v, want templates.json refused", err)
	}
}

// A change of the login server made at start (--demo points login_url at
// its provider at every start, --login-url too) does not open the
// signature store (issue 24.4): it waits for the store's first use, which
// writes it before its own entries, so the trail has it before anything
// signed under it.
func TestAChangeAtStartWaitsForTheStoresFirstUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sh := buildDemo(t, dir)
	defer sh.Close()
	// The change's write used to open the store right after Build, off the
	// caller: look for it for a while (no bound on speed: a slow open
	// only lets this pass on the old code).
	for range 50 {
		if exists(t, dir, shell.StoreFile) || exists(t, dir, station.KeyFile) {
			t.Fatal("the demo's change of login_url opened the signature store before any use of it")
		}
		time.Sleep(20 * time.Millisecond)
	}
	tmpl := signature.Template{Name: "Batch Release", Expression: "{role:QA}", Meaning: "Approval: I release this batch."}
	if err := sh.Signatures.PutTemplate(context.Background(), tmpl); err != nil {
		t.Fatalf("the first use: %v", err)
	}
	setting, template := -1, -1
	i := 0
	// Read as it is, not through SettingsWritten, which writes what waits.
	if err := sh.Store.AuditEntries(context.Background(), func(e audit.Entry) error {
		switch {
		case e.Event == audit.EventSetting && strings.Contains(e.Detail, "through "+string(settings.ViaDemo)):
			setting = i
		case e.Event == audit.EventTemplate && e.Template == tmpl.Name:
			template = i
		}
		i++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if setting < 0 || template < 0 || setting > template {
		t.Errorf("the demo's change of login_url is entry %d of the trail and the first use's template entry %d: "+
			"want the change written first, when the store opened", setting, template)
	}
}
