package webapps_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"loginshell/internal/pagefiles"
	"loginshell/internal/samples"
	"loginshell/internal/webapps"
)

// containerManifest is a webapp.json as the container's developers write
// it: comments, the CLI's folder keys, "update" for the manage page.
const containerManifest = `// published with: pm publish webapp.json
{
  "name": "offline-login",
  "version": "0.0.1",
  "main": "authenticate.html", // the offline sign-in
  "setup": "setup.html",
  /* the container's name of the manage page */
  "update": "update.html",
  "src-folder": "./dist/",
  "output-folder": "./dist-zip/",
  "nativeScroll": true
}
`

// containerRepo lays out a package folder the way the container's
// developers do: webapp.json beside dist/ (the built pages), the sources
// and an earlier CLI output that are not part of the package.
func containerRepo(t *testing.T) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "offline-login-repo")
	write(t, filepath.Join(repo, "webapp.json"), containerManifest)
	for _, p := range []string{"authenticate", "setup", "update"} {
		write(t, filepath.Join(repo, "dist", p+".html"), "<!doctype html><title>"+p+"</title>")
	}
	write(t, filepath.Join(repo, "dist", "js", "app.js"), "// app")
	write(t, filepath.Join(repo, "src", "app.ts"), "// the sources")
	write(t, filepath.Join(repo, "dist-zip", "old.zip"), "not a package file")
	return repo
}

// TestPackageFolders serves a --package folder laid out for the container's
// CLI without installing it, at its own version, and serves an edit of
// one of its files after Watch saw it.
func TestPackageFolders(t *testing.T) {
	t.Parallel()
	repo := containerRepo(t)
	qa := t.TempDir()
	write(t, filepath.Join(qa, "app.json"), `{"name":"qa","version":"1","starter":"offline-login","offline":"offline-login","dependencies":{"offline-login":"0.0.0"}}`)
	l, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: t.TempDir(), BootFile: filepath.Join(qa, "app.json"),
		Bundled: samples.FS(), BundledBoot: samples.BootDocument(), Packages: []string{filepath.Join(repo, "webapp.json")}})
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := l.AppPage("offline-login")
	if err != nil || u != "/webapps/offline-login/authenticate.html" {
		t.Fatalf("AppPage = %q, %v", u, err)
	}
	if !l.HasOffline() {
		t.Error("the --package offline package is not offered")
	}
	get := func() string {
		rec := httptest.NewRecorder()
		pagefiles.Handler(l).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webapps/offline-login/js/app.js", nil))
		return rec.Body.String()
	}
	if got := get(); got != "// app" {
		t.Fatalf("served %q", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed := make(chan struct{}, 10)
	watching := make(chan struct{})
	done := make(chan struct{})
	go func() {
		l.WatchFrom(ctx, 20*time.Millisecond, func() { changed <- struct{}{} }, func() { close(watching) })
		close(done)
	}()
	select {
	case <-watching: // the first fingerprint is taken: the edit below is a change
	case <-done:
		t.Fatal("Watch returned without watching")
	}
	write(t, filepath.Join(repo, "dist", "js", "app.js"), "// app, edited")
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("the edit was not seen")
	}
	if got := get(); got != "// app, edited" {
		t.Errorf("after the edit, served %q", got)
	}
	cancel()
	<-done
}
