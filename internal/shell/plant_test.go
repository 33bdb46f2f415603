//go:build unix

package shell_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/store/postgres"
	"loginshell/internal/store/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// A plant's store is opened beside the window, not at a signature: its
// other stations' alerts show here whether or not anyone signs. A database
// that does not answer as the station starts holds nothing up and is
// tried again until it does.
func TestAPlantStoreOpensBesideTheWindowAndUntilItAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	t.Parallel()
	cluster := pgtest.NewCluster(t)
	dsn := cluster.CreateDB(t)
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	sh := shelltest.New(t, shelltest.Options{Offline: true, Store: dsn})
	if d := time.Since(started); d > 5*time.Second {
		t.Errorf("the shell took %v to start with its database down", d)
	}
	if err := cluster.Start(); err != nil {
		t.Fatal(err)
	}
	// Another station raises an alert; nothing is signed here.
	other, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	alert := audit.Entry{Time: time.Now(), Station: "station-b", Event: audit.EventAlert, UserID: "qa", Detail: "qa is locked out"}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(sh.Screen.Current().Notice, "station-b") {
		if time.Now().After(deadline) {
			t.Fatalf("no notice of another station's alert 30 s after the database came back; notice %q", sh.Screen.Current().Notice)
		}
		// Appended until the station has followed the trail from its
		// end: an alert before that is not news to it.
		if _, err := other.AppendAudit(context.Background(), alert); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
	}
}
