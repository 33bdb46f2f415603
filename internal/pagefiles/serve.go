// Package pagefiles serves the files of web app packages over HTTP, the
// way pages written for the mobile container expect them: a page at
// /webapps/<name>/..., the pmapi shim injected into every HTML page so
// their http://pmapi/... calls reach the shell, never a redirect or a
// directory listing. It is where HTTP meets the package library: the
// library (internal/webapps) decides which package and version a name
// means, and knows nothing of requests.
package pagefiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"loginshell/internal/manifest"
	"loginshell/internal/webapps"
)

// library finds the package a request names; *webapps.Library is one.
type library interface {
	// Package returns the package served under name (at the version the
	// shell serves it at), or an error whose text names only the package
	// and its versions: it is the 404's body.
	Package(name string) (*webapps.Package, error)
}

// Handler serves GET and HEAD requests for webapps.Prefix<name>/<path>
// from the packages lib serves, asking lib at each request, so an install
// or a --package edit shows at once. lib must not be nil.
//
// It deliberately does not use http.FileServer: WebKit does not follow that
// server's redirects, and it would list directories. Instead a request for a
// package root or directory serves its index.html directly (with a <base>
// so relative links resolve when the URL lacks its trailing slash), paths
// containing "..", backslashes or symbolic links are refused, and errors are
// JSON {"error": "..."}. Every response carries Cache-Control: no-store (a
// reinstalled package must show at once) and X-Content-Type-Options:
// nosniff, and every HTML page gets the pmapi shim injected (see
// InjectShim).
//
// The handler expects the full request path (mount it at webapps.Prefix
// without http.StripPrefix). It does no authentication: whoever can reach
// the shell's origin can read the packages, which are not secret.
func Handler(lib library) http.Handler {
	return &server{lib: lib}
}

type server struct {
	lib library
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "web app files are read with GET or HEAD")
		return
	}
	name, file, ok := splitRequestPath(r.URL.Path)
	if !ok {
		writeError(w, http.StatusBadRequest, "invalid web app path")
		return
	}
	pkg, err := s.lib.Package(name)
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error()) // names the app and versions only
		return
	}
	target, base, err := resolve(pkg.FS, file)
	if err != nil {
		writeError(w, http.StatusNotFound, "not found: "+r.URL.Path)
		return
	}
	if base {
		base = !strings.HasSuffix(r.URL.Path, "/")
	}
	data, err := fs.ReadFile(pkg.FS, target)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot read "+r.URL.Path)
		return
	}
	ctype := contentType(target)
	if strings.HasPrefix(ctype, "text/html") {
		baseHref := ""
		if base {
			baseHref = r.URL.EscapedPath() + "/"
		}
		data = injectShim(data, baseHref)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	setCommonHeaders(h)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// splitRequestPath turns "/webapps/<name>/<file>" into name and file ("" for
// the package root, "dir/" for a directory). It refuses anything that could
// step outside the package: "." and ".." segments, empty segments,
// backslashes and NULs. r.URL.Path is already percent-decoded, so "%2e%2e"
// and "%5c" are caught here too.
func splitRequestPath(p string) (name, file string, ok bool) {
	rest, found := strings.CutPrefix(p, webapps.Prefix)
	if !found {
		return "", "", false
	}
	name, file, _ = strings.Cut(rest, "/")
	if !manifest.ValidName(name) || strings.ContainsAny(file, "\\\x00") {
		return "", "", false
	}
	if trimmed := strings.TrimSuffix(file, "/"); trimmed != "" && !fs.ValidPath(trimmed) {
		return "", "", false
	}
	return name, file, true
}

var errNotServable = errors.New("not servable")

// resolve maps a request file to a regular file in fsys: directories (and
// the package root) map to their index.html, and isDir reports that so the
// caller can add a <base>. Symbolic links anywhere on the path are refused,
// since a directory package from disk could otherwise serve any file the
// shell can read.
func resolve(fsys fs.FS, file string) (target string, isDir bool, err error) {
	target = strings.TrimSuffix(file, "/")
	if target == "" {
		target = "."
	}
	info, err := statNoSymlinks(fsys, target)
	if err != nil {
		return "", false, err
	}
	if info.IsDir() {
		isDir = true
		target = path.Join(target, "index.html")
		if info, err = statNoSymlinks(fsys, target); err != nil {
			return "", false, err
		}
	}
	if !info.Mode().IsRegular() {
		return "", false, errNotServable
	}
	return target, isDir, nil
}

func statNoSymlinks(fsys fs.FS, name string) (fs.FileInfo, error) {
	if name == "." {
		return fs.Stat(fsys, name)
	}
	var info fs.FileInfo
	elems := strings.Split(name, "/")
	for i := range elems {
		var err error
		if info, err = fs.Lstat(fsys, strings.Join(elems[:i+1], "/")); err != nil {
			return nil, err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return nil, errNotServable
		}
	}
	return info, nil
}

// contentType answers from a fixed table for what packages are made of, so
// the answer does not depend on the host's mime tables (Windows registry,
// /etc/mime.types), and falls back to those tables for the rest. Nothing is
// sniffed: responses carry nosniff.
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".html", ".htm":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".wasm":
		return "application/wasm"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

func setCommonHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	setCommonHeaders(h)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
