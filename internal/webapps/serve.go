package webapps

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"loginshell/internal/manifest"
)

// Prefix is the URL path under which Handler serves packages.
const Prefix = "/webapps/"

// PageURL returns the shell-relative URL of a page in a package, e.g.
// PageURL("offline-login", "login.html", url.Values{"t": {tok}, "u": {user}})
// is "/webapps/offline-login/login.html?t=...&u=...". Every path segment and
// query value is escaped, so a username with spaces, "&" or "#" arrives
// intact in the page's location.search.
func PageURL(pkgName, page string, query url.Values) string {
	segs := strings.Split(page, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := Prefix + url.PathEscape(pkgName) + "/" + strings.Join(segs, "/")
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// Handler serves GET and HEAD requests for Prefix<name>/<path> from the
// catalog. version(name) picks which installed version of a package to serve
// (the boot document's dependency, typically); "" or a nil version func means
// the highest installed.
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
// The handler expects the full request path (mount it at Prefix without
// http.StripPrefix). It does no authentication: whoever can reach the
// shell's origin can read the packages, which are not secret.
func (c *Catalog) Handler(version func(name string) string) http.Handler {
	return &server{catalog: c, version: version}
}

type server struct {
	catalog *Catalog
	version func(string) string
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
	version := ""
	if s.version != nil {
		version = s.version(name)
	}
	pkg, err := s.catalog.Lookup(name, version)
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
	rest, found := strings.CutPrefix(p, Prefix)
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
