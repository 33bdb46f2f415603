package shell

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/alert"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// TestAReplacedStoreIsAlertedAtOpen: a station whose store was deleted
// and is made again at its next start writes an alert naming the store
// it signed in into the new one, and its chrome shows it; a store opened
// again as it was writes none.
func TestAReplacedStoreIsAlertedAtOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var mu sync.Mutex
	var shown []string
	notices := alert.NewNotices(func(text string) {
		mu.Lock()
		defer mu.Unlock()
		shown = append(shown, text)
	}, func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop })
	o := signaturesOptions{dataDir: dir, station: "ST-1", templatesFile: "templates.json", notices: notices, log: slog.New(slog.DiscardHandler),
		templates: []signature.Template{{Name: "Release", Expression: "{role:Operator}", IDP: signature.IDPLocal, Meaning: "Approval"}}}
	alerts := func(db SignatureStore) []audit.Entry {
		t.Helper()
		var got []audit.Entry
		if err := db.AuditEntries(context.Background(), func(e audit.Entry) error {
			if e.Event == audit.EventAlert {
				got = append(got, e)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}

	db, undo, err := openSignatures(o) // stores the template: a checkpoint
	if err != nil {
		t.Fatal(err)
	}
	old := db.(interface{ Identity() string }).Identity()
	undo()
	db, undo, err = openSignatures(o) // the same store again
	if err != nil {
		t.Fatal(err)
	}
	if got := alerts(db); len(got) != 0 {
		t.Errorf("the same store opened again: alerts %+v", got)
	}
	undo()

	for _, f := range []string{StoreFile, StoreFile + "-wal", StoreFile + "-shm"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	db, undo, err = openSignatures(o)
	if err != nil {
		t.Fatal(err)
	}
	defer undo()
	got := alerts(db)
	if len(got) != 1 || !strings.Contains(got[0].Detail, "but station ST-1 signed checkpoint #1 of store "+old+" there at") ||
		!strings.Contains(got[0].Detail, "loginshell station forget-store "+old) {
		t.Fatalf("alerts after the store was made again: %+v, want one naming store %s", got, old)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		text := strings.Join(shown, "\n")
		mu.Unlock()
		if strings.Contains(text, old) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the chrome's notice shows %q, want the replaced store", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
