package pkginstall

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"loginshell/internal/manifest"
)

// entry is one file or directory of a package, from a zip or a directory.
type entry struct {
	name        string      // as stored: "/"-separated, directories may end in "/"
	mode        fs.FileMode // the type bits say file, directory, link, device...
	encrypted   bool
	unsupported string // why the entry cannot be decompressed, "" if it can
	compressed  int64  // stored size; -1 for directory packages (no ratio to check)
	declared    int64  // uncompressed size the header claims; never trusted alone
	open        func() (io.ReadCloser, error)
}

// ratioFloor is how many bytes an entry (or the whole package) may expand
// to before MaxRatio applies: small files cannot be bombs, and a few
// kilobytes of spaces legitimately compress a thousandfold.
const ratioFloor = 1 << 20

// maxManifestBytes caps webapp.json, which is read into memory.
const maxManifestBytes = manifest.MaxFileBytes

// macOSJunk is the folder Finder's "Compress" adds beside the real content
// (resource forks). It is skipped, never extracted.
const macOSJunk = "__MACOSX"

// maxProblems caps how many problems a check collects, so a hostile
// package cannot make the report itself huge.
const maxProblems = 500

// FileFunc sees one file of a package that passed the rules: its path
// relative to the package root (the folder holding webapp.json) and its
// content. It need not read everything; the rest is read (and measured)
// after it returns.
type FileFunc func(name string, r io.Reader)

// inspect reads entries the way Install does, writing nothing, and
// returns the manifest (zero if webapp.json is missing or invalid), how
// the package was read, and every problem found, each a *PackageError,
// in the order of the entries. visit, when not nil, sees each file's
// content. InspectPackage runs it for `loginshell check`, so check and
// install always agree.
func inspect(entries []entry, opts Options, shape Shape, visit FileFunc) (manifest.WebApp, walked, []*PackageError) {
	m, how, problems, _ := walk(entries, opts, shape, true, func(name string, dir bool, r io.Reader, _ []byte) error {
		if !dir && visit != nil {
			visit(name, r)
		}
		return nil
	})
	return m, how, problems
}

// walked says how a walk read the package: what Validate decided about
// "src-folder" (Root, Note) and the container CLI's keys it dropped from
// the webapp.json it emitted.
type walked struct {
	prefix     string // manifestPrefix
	root, note string
	dropped    []string
}

// walker carries one pass over a package's entries.
type walker struct {
	opts     Options
	collect  bool // keep going after a problem (check) or stop at the first (install)
	problems []*PackageError
	done     int64 // bytes read so far, measured
	total    int64 // declared bytes, for progress only
	nextTick int64
	packed   int64 // compressed bytes of all files, -1 if not a zip
}

// fail records a problem and reports whether the walk must stop.
func (w *walker) fail(entry, rule, detail string) bool {
	return w.record(&PackageError{Entry: entry, Rule: rule, Detail: detail})
}

// record is fail for a problem already made (by Validate).
func (w *walker) record(p *PackageError) bool {
	if len(w.problems) < maxProblems {
		w.problems = append(w.problems, p)
	}
	return !w.collect || len(w.problems) >= maxProblems
}

// emitFunc writes one entry of a package under its path in the package:
// a directory, or a file with the content r gives, through buf (nil when
// the walk only checks). A walk that installs calls it from several
// goroutines at once (see extractAll), each with its own buf.
type emitFunc func(name string, dir bool, r io.Reader, buf []byte) error

// extractBuffer is the buffer each extracting goroutine copies through
// (copyAhead reads into one half while it writes the other).
const extractBuffer = 256 << 10

// accepted is an entry that passed the name and type rules.
type accepted struct {
	entry
	clean string // name without trailing slash
	dir   bool
}

// walk checks names, types and the manifest, then streams every accepted
// entry of the package's root (Validate's Verdict.Root) to emit with its
// path relative to that root, webapp.json first and without the container
// CLI's folder keys (the container's server stored it without them too,
// and an installed package is read as an Archive: the keys would send the
// loader looking for a folder the install did not copy). It returns the
// problems found; err is only for failures of emit (the disk), which are
// not the package's fault. With collect (check) the entries are read one
// by one and every problem is kept; without (install) they are extracted
// by several goroutines, and the problem returned is the one reading them
// one by one would have met first (extractAll).
func walk(entries []entry, opts Options, shape Shape, collect bool, emit emitFunc) (manifest.WebApp, walked, []*PackageError, error) {
	w := &walker{opts: opts, collect: collect}
	if len(entries) > opts.MaxEntries {
		w.fail("", RuleTooManyEntries, fmt.Sprintf("the package has %d entries, more than the limit of %d", len(entries), opts.MaxEntries))
		return manifest.WebApp{}, walked{}, w.problems, nil
	}
	files, stop := w.checkNames(entries)
	if stop {
		return manifest.WebApp{}, walked{}, w.problems, nil
	}
	prefix := manifestPrefix(files)
	v, data, stop := w.checkManifest(files, prefix, shape)
	if stop {
		return manifest.WebApp{}, walked{}, w.problems, nil
	}
	m := v.Manifest
	carried, dropped := withoutFolderKeys(data)
	how := walked{prefix: prefix, root: v.Root, note: v.Note, dropped: dropped}
	if w.total > opts.MaxTotalBytes {
		w.fail("", RuleTooLarge, fmt.Sprintf("the entries declare %d bytes uncompressed, more than the limit of %d", w.total, opts.MaxTotalBytes))
		return m, how, w.problems, nil // never decompress what is already too big
	}
	base := prefix
	if v.Root != "" {
		base += v.Root + "/"
	}
	skip := outputInside(data, v.Root)
	// content is the path in the package of an accepted entry, "" for one
	// that is not part of it.
	content := func(a accepted) string {
		rel, ok := strings.CutPrefix(a.clean, base)
		switch {
		case !ok || strings.SplitN(a.clean, "/", 2)[0] == macOSJunk:
			return ""
		case rel == manifest.WebAppFile:
			return "" // emitted first; a copy inside src-folder is replaced by the one given
		case skip != "" && (rel == skip || strings.HasPrefix(rel, skip+"/")):
			return "" // the CLI's output is not content
		}
		return rel
	}
	// The progress counts what is written: the package's files and the
	// webapp.json it carries, not the sources beside its src-folder.
	w.total = int64(len(carried))
	for _, a := range files {
		if !a.dir && content(a) != "" {
			w.total += a.declared
		}
	}
	var buf []byte
	if !collect {
		buf = make([]byte, extractBuffer)
	}
	if err := emit(manifest.WebAppFile, false, bytes.NewReader(carried), buf); err != nil {
		if nameTooLongOnDisk(err) {
			w.fail(prefix+manifest.WebAppFile, RuleNameTooLong, diskNameTooLong)
			return m, how, w.problems, nil
		}
		return m, how, w.problems, err
	}
	w.done += int64(len(carried))
	var jobs []job
	for _, a := range files {
		if rel := content(a); rel != "" {
			jobs = append(jobs, job{a, rel})
		}
	}
	if collect {
		for _, j := range jobs {
			_, p, err := stream(j, emit, nil, &measured{count: w.count})
			if err != nil || p != nil && w.record(p) {
				return m, how, w.problems, err
			}
		}
	} else if err := w.extractAll(jobs, emit, buf); err != nil || len(w.problems) > 0 {
		return m, how, w.problems, err
	}
	if w.opts.Progress != nil {
		w.opts.Progress(w.done, max(w.total, w.done))
	}
	return m, how, w.problems, nil
}

// checkNames applies the per-entry rules and the duplicate rule.
func (w *walker) checkNames(entries []entry) ([]accepted, bool) {
	type seen struct {
		name string
		dir  bool
	}
	byFold := map[string]seen{}
	// register reports whether name (a file or, with dir, a directory) may
	// join the package; a directory seen twice with the same spelling is fine.
	register := func(name string, dir bool) (string, bool) {
		k := foldKey(name)
		if s, ok := byFold[k]; ok && !(s.dir && dir && s.name == name) {
			return s.name, false
		}
		byFold[k] = seen{name, dir}
		return "", true
	}
	var files []accepted
	for _, e := range entries {
		clean, rule, detail := checkEntryName(e.name)
		if rule == "" {
			rule, detail = checkEntryType(e.mode)
		}
		switch {
		case rule != "":
		case e.encrypted:
			rule, detail = RuleEncrypted, "the entry is encrypted; packages must not be"
		case e.unsupported != "":
			rule, detail = RuleCorrupt, e.unsupported
		}
		if rule != "" {
			if w.fail(e.name, rule, detail) {
				return nil, true
			}
			continue
		}
		dir := e.mode.IsDir()
		conflict := ""
		for i := strings.Index(clean, "/"); i >= 0 && conflict == ""; i = nextSlash(clean, i) {
			if other, ok := register(clean[:i], true); !ok {
				conflict = fmt.Sprintf("its folder %q clashes with the entry %q (names must differ in more than case)", clean[:i], other)
			}
		}
		if conflict == "" {
			if other, ok := register(clean, dir); !ok {
				conflict = fmt.Sprintf("the name clashes with the entry %q (names must differ in more than case)", other)
			}
		}
		if conflict != "" {
			if w.fail(e.name, RuleDuplicate, conflict) {
				return nil, true
			}
			continue
		}
		if !dir && strings.SplitN(clean, "/", 2)[0] != macOSJunk {
			w.total += e.declared
			if e.compressed < 0 || w.packed < 0 {
				w.packed = -1
			} else {
				w.packed += e.compressed
			}
		}
		files = append(files, accepted{entry: e, clean: clean, dir: dir})
	}
	return files, false
}

func nextSlash(s string, i int) int {
	j := strings.Index(s[i+1:], "/")
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// manifestPrefix finds the package root: "" when webapp.json is at the top,
// "<folder>/" when everything sits in one top-level folder that holds it
// (what zipping a folder produces), else "" (and the manifest is missing).
func manifestPrefix(files []accepted) string {
	top := map[string]bool{}
	has := map[string]bool{}
	for _, a := range files {
		first, _, nested := strings.Cut(a.clean, "/")
		if first == macOSJunk {
			continue
		}
		if !nested && !a.dir {
			top[""] = true // a file at the root
		} else {
			top[first] = true
		}
		if !a.dir {
			has[a.clean] = true
		}
	}
	if has[manifest.WebAppFile] || len(top) != 1 {
		return ""
	}
	for folder := range top {
		if folder != "" && has[folder+"/"+manifest.WebAppFile] {
			return folder + "/"
		}
	}
	return ""
}

// checkManifest finds and reads webapp.json, then runs Validate on it
// against the files of the package. It returns the verdict and the
// manifest's bytes.
func (w *walker) checkManifest(files []accepted, prefix string, shape Shape) (Verdict, []byte, bool) {
	t := entryTree{files: map[string]bool{}, dirs: map[string]bool{}}
	var doc *accepted
	for i, a := range files {
		rel, ok := strings.CutPrefix(a.clean, prefix)
		if !ok || rel == "" {
			continue
		}
		if a.dir {
			t.dirs[rel] = true
			continue
		}
		t.files[rel] = true
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			t.dirs[d] = true // a zip need not list the folders of its files
		}
		if rel == manifest.WebAppFile {
			doc = &files[i]
		}
	}
	if doc == nil {
		return Verdict{}, nil, w.fail(manifest.WebAppFile, RuleMissingManifest,
			"no webapp.json at the top of the package, nor inside a single top-level folder")
	}
	data, err := readSmall(doc.entry, maxManifestBytes)
	if err != nil {
		return Verdict{}, nil, w.fail(doc.name, RuleInvalidManifest, err.Error())
	}
	v := Validate(data, t, shape)
	for _, p := range v.Problems {
		p.Entry = prefix + p.Entry // the entry as the package stores it
		if w.record(p) {
			return v, data, true
		}
	}
	// Without a usable manifest there is nothing to install; the problems
	// say why.
	return v, data, v.Manifest.Name == ""
}

// entryTree is a Tree over the accepted entries of a package, relative to
// the folder holding webapp.json.
type entryTree struct{ files, dirs map[string]bool }

func (t entryTree) IsFile(name string) bool { return t.files[name] }
func (t entryTree) IsDir(name string) bool  { return t.dirs[name] }

func readSmall(e entry, limit int64) ([]byte, error) {
	rc, err := e.open()
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %w", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("cannot be read: %w", err)
	case int64(len(data)) > limit:
		return nil, fmt.Errorf("is larger than %d bytes", limit)
	}
	return data, nil
}
