package boot_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/webapps"
)

// packagesOver builds Packages for a boot document over one package root.
func packagesOver(t *testing.T, doc string, root fstest.MapFS) *boot.Packages {
	t.Helper()
	bd, err := webapps.ParseBoot([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := webapps.NewCatalog(root)
	if err != nil {
		t.Fatal(err)
	}
	return &boot.Packages{Doc: bd, Catalog: cat}
}

func TestOfflinePage(t *testing.T) {
	t.Parallel()
	samples := samplePackages(t)
	// A package written before setup and manage existed: main only.
	loginOnly := packagesOver(t, `{"name":"x","version":"1","starter":"app","offline":"old-login"}`, fstest.MapFS{
		"old-login/webapp.json": {Data: []byte(`{"name":"old-login","version":"1.0.0","main":"login.html"}`)},
		"old-login/login.html":  {Data: []byte("<html></html>")},
	})
	noOffline := packagesOver(t, `{"name":"x","version":"1","starter":"app"}`, fstest.MapFS{})
	notInstalled := packagesOver(t, `{"name":"x","version":"1","starter":"app","offlineName":"gone"}`, fstest.MapFS{})
	tests := []struct {
		name    string
		pkgs    *boot.Packages
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
			got, err := tt.pkgs.OfflinePage(tt.cmd, "tok", "alice")
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("OfflinePage = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestOfflinePageEscapesTheQuery(t *testing.T) {
	t.Parallel()
	got, err := samplePackages(t).OfflinePage(auth.CmdAuthenticate, "tok", "a&u=mallory b")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/webapps/offline-login/login.html?t=tok&u=a%26u%3Dmallory+b"; got != want {
		t.Errorf("OfflinePage = %q, want %q", got, want)
	}
}

func TestHasOfflineAndAppPage(t *testing.T) {
	t.Parallel()
	p := samplePackages(t)
	if !p.HasOffline() {
		t.Error("HasOffline = false for the samples")
	}
	if noOffline := packagesOver(t, `{"name":"x","version":"1","starter":"app"}`, fstest.MapFS{}); noOffline.HasOffline() {
		t.Error("HasOffline = true without offlineName")
	}
	if gone := packagesOver(t, `{"name":"x","version":"1","starter":"app","offlineName":"gone"}`, fstest.MapFS{}); gone.HasOffline() {
		t.Error("HasOffline = true for a package not installed")
	}
	if u, title, err := p.AppPage("lineapp"); err != nil || u != starterPage || title != "lineapp" {
		t.Errorf("AppPage(lineapp) = %q, %q, %v", u, title, err)
	}
	if _, _, err := p.AppPage("nosuch"); !errors.Is(err, webapps.ErrUnknownApp) {
		t.Errorf("AppPage(nosuch) = %v, want ErrUnknownApp", err)
	}
	if v := p.Version("lineapp"); v != "1.0.0" {
		t.Errorf("Version(lineapp) = %q, want the boot document's 1.0.0", v)
	}
}
