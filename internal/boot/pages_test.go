package boot_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/webapps"
)

// libraryOver opens a Library whose bundled packages are root and whose
// bundled boot document is doc, over an empty data directory.
func libraryOver(t *testing.T, doc string, root fstest.MapFS) *webapps.Library {
	t.Helper()
	l, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: t.TempDir(), Bundled: root, BundledBoot: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestOfflinePage(t *testing.T) {
	t.Parallel()
	samples := samplePackages(t)
	// A package written before setup and manage existed: main only.
	loginOnly := libraryOver(t, `{"name":"x","version":"1","starter":"app","offline":"old-login"}`, fstest.MapFS{
		"old-login/webapp.json": {Data: []byte(`{"name":"old-login","version":"1.0.0","main":"login.html"}`)},
		"old-login/login.html":  {Data: []byte("<html></html>")},
	})
	noOffline := libraryOver(t, `{"name":"x","version":"1","starter":"app"}`, fstest.MapFS{})
	notInstalled := libraryOver(t, `{"name":"x","version":"1","starter":"app","offlineName":"gone"}`, fstest.MapFS{})
	tests := []struct {
		name    string
		lib     *webapps.Library
		cmd     auth.Command
		want    string
		wantErr error
	}{
		{"authenticate opens main", samples, auth.CmdAuthenticate, "/webapps/offline-login/login.html?t=tok&u=alice", nil},
		{"setup opens setup", samples, auth.CmdSetup, "/webapps/offline-login/setup.html?t=tok&u=alice", nil},
		{"update opens manage", samples, auth.CmdUpdate, "/webapps/offline-login/manage.html?t=tok&u=alice", nil},
		{"authenticate works with main alone", loginOnly, auth.CmdAuthenticate, "/webapps/old-login/login.html?t=tok&u=alice", nil},
		{"setup without a setup element is ErrNoPage", loginOnly, auth.CmdSetup, "", auth.ErrNoPage},
		{"update without a manage element is ErrNoPage", loginOnly, auth.CmdUpdate, "", auth.ErrNoPage},
		{"no offlineName is ErrNoOfflinePackage", noOffline, auth.CmdAuthenticate, "", auth.ErrNoOfflinePackage},
		{"an offline package not installed is ErrNoOfflinePackage", notInstalled, auth.CmdSetup, "", auth.ErrNoOfflinePackage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := boot.OfflinePages(tt.lib).OfflinePage(tt.cmd, "tok", "alice")
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("OfflinePage = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestOfflinePageEscapesTheQuery(t *testing.T) {
	t.Parallel()
	got, err := boot.OfflinePages(samplePackages(t)).OfflinePage(auth.CmdAuthenticate, "tok", "a&u=mallory b")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/webapps/offline-login/login.html?t=tok&u=a%26u%3Dmallory+b"; got != want {
		t.Errorf("OfflinePage = %q, want %q", got, want)
	}
}

func TestOfflinePagesRefusesNoPackages(t *testing.T) {
	t.Parallel()
	if p := boot.OfflinePages(nil); p != nil {
		t.Errorf("OfflinePages(nil) = %v, want nil for auth.New to refuse", p)
	}
}
