package pkginstall

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"loginshell/internal/manifest"
)

// Layout says how a package named by a path was read.
type Layout struct {
	// Top is the single top-level folder of a zip or folder that holds
	// webapp.json (what zipping a folder produces), "" when webapp.json is
	// at the top.
	Top string
	// Manifest is the webapp.json read from outside the package's files (a
	// folder with "src-folder", a zip built by the container's CLI); ""
	// when the package carries its own.
	Manifest string
	// SrcFolder is the folder whose contents are the package, relative to
	// the folder holding webapp.json ("." for that folder when Manifest
	// is given); "" when the package is the folder or zip named.
	SrcFolder string
	// Note says how "src-folder" was read when not as written (a zip
	// without that folder: see Archive), "" otherwise.
	Note string
	// Dropped lists the container CLI's keys removed from the webapp.json
	// the package carries, and installs: the container's server stored the
	// manifest without them too.
	Dropped []string
}

// InspectPackage reads a package, a zip or a folder, named the way
// the container's CLI named one: a zip; a folder holding webapp.json; or a
// webapp.json file. With "src-folder" in that webapp.json, the package's
// files are that folder's contents (see PackageRoot: it must lie inside
// the manifest's folder: "..", absolute paths and links out of it are
// refused), the "output-folder" inside it is left out, and the package
// carries the manifest without the two folder keys. A zip is read the
// same way (an Archive: a zip without its src-folder is read from the
// folder of its webapp.json). A zip without webapp.json (what
// `pm publish` wrote: app-<name>_<version>.zip) takes the webapp.json
// beside it, or the one in the folder above whose "output-folder" is the
// zip's folder; its name must agree with that manifest.
//
// Every rule of the installer applies unchanged to the files found this
// way: InstallPackage reads the same files.
func InspectPackage(pkgPath string, opts Options, visit FileFunc) (manifest.WebApp, Layout, []*PackageError) {
	opts = opts.withDefaults()
	entries, layout, shape, closeSrc, perr := openPackage(pkgPath, opts)
	if perr != nil {
		// Refused before its files were read (a src-folder not built): the
		// manifest, when it parses, still says which package this is.
		return folderManifest(pkgPath), layout, []*PackageError{perr}
	}
	defer closeSrc()
	m, how, problems := inspect(entries, opts, shape, visit)
	if how.root != "" {
		layout.SrcFolder = how.root
	}
	layout.Note = how.note
	layout.Top = strings.TrimSuffix(how.prefix, "/")
	if len(how.dropped) > 0 {
		layout.Dropped = how.dropped
	}
	return m, layout, problems
}

// folderManifest is the webapp.json of a folder package, or the one named,
// the zero WebApp when there is none or it does not parse.
func folderManifest(pkgPath string) manifest.WebApp {
	p := pkgPath
	if !strings.EqualFold(filepath.Ext(p), ".json") {
		p = filepath.Join(p, manifest.WebAppFile)
	}
	data, err := readFileLimited(p, maxManifestBytes)
	if err != nil {
		return manifest.WebApp{}
	}
	m, _ := manifest.ParseWebApp(data)
	return m
}

// openPackage lists the entries of the package at pkgPath (see
// InspectPackage) and says how they are held; the func releases what it
// opened.
func openPackage(pkgPath string, opts Options) ([]entry, Layout, Shape, func(), *PackageError) {
	st, err := os.Stat(pkgPath)
	if err != nil {
		return nil, Layout{}, Folder, nil, unreadable("the package cannot be opened: " + err.Error())
	}
	switch {
	case st.IsDir():
		if man := filepath.Join(pkgPath, manifest.WebAppFile); isRegular(man) {
			entries, layout, closeSrc, perr := openProject(man, opts)
			return entries, layout, Folder, closeSrc, perr
		}
		entries, closeRoot, perr := dirEntries(pkgPath, opts)
		return entries, Layout{}, Folder, closeRoot, perr
	case strings.EqualFold(filepath.Ext(pkgPath), ".json"):
		entries, layout, closeSrc, perr := openProject(pkgPath, opts)
		return entries, layout, Folder, closeSrc, perr
	}
	entries, layout, closeSrc, perr := openZip(pkgPath, st.Size(), opts)
	return entries, layout, Archive, closeSrc, perr
}

func unreadable(detail string) *PackageError {
	return &PackageError{Rule: RuleUnreadable, Detail: detail}
}

// openProject lists a package described by the webapp.json at man, a
// Folder: only its PackageRoot is listed, so the sources and
// node_modules beside dist/ cost nothing.
func openProject(man string, opts Options) ([]entry, Layout, func(), *PackageError) {
	data, err := readFileLimited(man, maxManifestBytes)
	if err != nil {
		return nil, Layout{}, nil, &PackageError{Entry: manifest.WebAppFile, Rule: RuleInvalidManifest, Detail: err.Error()}
	}
	root, err := os.OpenRoot(filepath.Dir(man))
	if err != nil {
		return nil, Layout{}, nil, unreadable("the folder of webapp.json cannot be opened: " + err.Error())
	}
	src, _, perr := PackageRoot(data, Folder, rootTree{root})
	if perr != nil {
		if s, _ := manifest.SrcFolder(data); perr.Rule == RuleMissingSrcFolder && (rootTree{root}).exists(s) {
			// There, but not a folder inside: a link out of it, or a file.
			perr = &PackageError{Entry: manifest.WebAppFile, Rule: RulePathEscape,
				Detail: fmt.Sprintf("%q %q is not a folder inside the folder of webapp.json", manifest.KeySrcFolder, s)}
		}
		root.Close()
		return nil, Layout{}, nil, perr
	}
	if src == "" && filepath.Base(man) == manifest.WebAppFile {
		// A plain package folder: read as InstallDir does.
		entries, perr := dirEntriesRoot(root, opts)
		if perr != nil {
			root.Close()
			return nil, Layout{}, nil, perr
		}
		return entries, Layout{}, func() { root.Close() }, nil
	}
	if src == "" {
		src = "."
	}
	layout := Layout{Manifest: man, SrcFolder: src}
	files := root
	if src != "." {
		// os.Root refuses a link that leads out of the manifest's folder.
		files, err = root.OpenRoot(filepath.FromSlash(src))
		root.Close()
		if err != nil {
			return nil, layout, nil, &PackageError{Entry: manifest.WebAppFile, Rule: RulePathEscape,
				Detail: fmt.Sprintf("%q %q is not a folder inside the folder of webapp.json", manifest.KeySrcFolder, src)}
		}
	}
	entries, perr := dirEntriesRoot(files, opts)
	if perr != nil {
		files.Close()
		return nil, layout, nil, perr
	}
	skip := outputInside(data, src)
	kept := entries[:0]
	for _, e := range entries {
		name := strings.TrimSuffix(e.name, "/")
		if name == manifest.WebAppFile || (skip != "" && (name == skip || strings.HasPrefix(name, skip+"/"))) {
			continue // the manifest given replaces a copy among the files; the CLI's output is not content
		}
		kept = append(kept, e)
	}
	carried, dropped := withoutFolderKeys(data)
	layout.Dropped = dropped
	return append([]entry{manifestEntry(carried)}, kept...), layout, func() { files.Close() }, nil
}

// rootTree is a Tree over a folder, links not followed.
type rootTree struct{ root *os.Root }

func (t rootTree) exists(name string) bool {
	_, err := t.root.Lstat(filepath.FromSlash(name))
	return err == nil
}

func (t rootTree) IsFile(name string) bool {
	info, err := t.root.Lstat(filepath.FromSlash(name))
	return err == nil && info.Mode().IsRegular()
}

func (t rootTree) IsDir(name string) bool {
	info, err := t.root.Lstat(filepath.FromSlash(name))
	return err == nil && info.IsDir()
}

// openZip lists a zip package, adding the webapp.json beside a zip the
// container's CLI built.
func openZip(zipPath string, size int64, opts Options) ([]entry, Layout, func(), *PackageError) {
	f, err := os.Open(zipPath)
	if err != nil {
		return nil, Layout{}, nil, unreadable("the package cannot be opened: " + err.Error())
	}
	entries, perr := zipEntries(f, size, opts)
	if perr != nil {
		f.Close()
		return nil, Layout{}, nil, perr
	}
	closeZip := func() { f.Close() }
	man := besideManifest(zipPath)
	if hasManifest(entries) || man == "" {
		return entries, Layout{}, closeZip, nil
	}
	data, err := readFileLimited(man, maxManifestBytes)
	if err != nil {
		f.Close()
		return nil, Layout{}, nil, &PackageError{Entry: manifest.WebAppFile, Rule: RuleInvalidManifest, Detail: err.Error()}
	}
	if m, err := manifest.ParseWebApp(data); err == nil {
		if name, version, ok := cliZipName(filepath.Base(zipPath)); ok && (name != m.Name || version != m.Version) {
			f.Close()
			return nil, Layout{}, nil, &PackageError{Entry: filepath.Base(zipPath), Rule: RuleInvalidManifest, Detail: fmt.Sprintf(
				"the zip's name says it holds %s %s, but the webapp.json beside it (%s) names %s %s", name, version, man, m.Name, m.Version)}
		}
	}
	carried, dropped := withoutFolderKeys(data)
	return append([]entry{manifestEntry(carried)}, entries...), Layout{Manifest: man, Dropped: dropped}, closeZip, nil
}

// hasManifest reports whether a zip carries webapp.json at its top or in a
// top-level folder.
func hasManifest(entries []entry) bool {
	for _, e := range entries {
		if e.name == manifest.WebAppFile || strings.Count(e.name, "/") == 1 && strings.HasSuffix(e.name, "/"+manifest.WebAppFile) {
			return true
		}
	}
	return false
}

// besideManifest finds the webapp.json of a zip built by the container's
// CLI: in the zip's folder, or in the folder above when its
// "output-folder" is the zip's folder (the project's own layout).
func besideManifest(zipPath string) string {
	dir := filepath.Dir(zipPath)
	if p := filepath.Join(dir, manifest.WebAppFile); isRegular(p) {
		return p
	}
	up := filepath.Dir(dir)
	p := filepath.Join(up, manifest.WebAppFile)
	data, err := readFileLimited(p, maxManifestBytes)
	if err != nil {
		return ""
	}
	out := manifest.OutputFolder(data)
	if out == "" {
		return ""
	}
	a, err1 := filepath.Abs(filepath.Join(up, filepath.FromSlash(out)))
	b, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil || a != b {
		return ""
	}
	return p
}

// cliZipName reads app-<name>_<version>.zip.
func cliZipName(base string) (name, version string, ok bool) {
	s, ok := strings.CutPrefix(base, "app-")
	if !ok {
		return "", "", false
	}
	s, ok = strings.CutSuffix(s, ".zip")
	i := strings.LastIndex(s, "_")
	if !ok || i <= 0 || i == len(s)-1 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// outputInside returns the "output-folder" relative to src ("" or "."
// for the folder of webapp.json) when it lies inside it, else "".
func outputInside(data []byte, src string) string {
	out, problem := manifest.CleanFolder(manifest.OutputFolder(data))
	switch {
	case problem != "" || out == "" || out == ".":
		return ""
	case src == "." || src == "":
		return out
	}
	rel, _ := strings.CutPrefix(out, src+"/")
	if rel == out {
		return ""
	}
	return rel
}

// withoutFolderKeys returns the manifest without the CLI's folder keys
// and the keys it dropped. A manifest without them, or one that does not
// parse (for the rules to report), is returned as it is.
func withoutFolderKeys(data []byte) ([]byte, []string) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(manifest.StripComments(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), &fields) != nil || fields == nil {
		return data, nil
	}
	var dropped []string
	for _, k := range []string{manifest.KeySrcFolder, manifest.KeyOutputFolder} {
		if _, ok := fields[k]; ok {
			delete(fields, k)
			dropped = append(dropped, k)
		}
	}
	if len(dropped) == 0 {
		return data, nil
	}
	out, err := json.MarshalIndent(fields, "", "  ")
	if err != nil {
		return data, nil
	}
	return append(out, '\n'), dropped
}

// manifestEntry is a webapp.json given beside the package's files.
func manifestEntry(data []byte) entry {
	return entry{name: manifest.WebAppFile, mode: 0o644, compressed: int64(len(data)), declared: int64(len(data)),
		open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

// readFileLimited reads the file at p as readSmall reads an entry.
func readFileLimited(p string, limit int64) ([]byte, error) {
	return readSmall(entry{open: func() (io.ReadCloser, error) { return os.Open(p) }}, limit)
}

func isRegular(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
