package pkginstall

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode"
	"unicode/utf8"

	"loginshell/internal/fault"
)

// ErrBadPackage is matched (errors.Is) by every error Install and
// InstallDir return because of the package itself rather than the disk: the
// concrete error is a *PackageError naming the entry and the rule broken.
var ErrBadPackage = fault.New(fault.Invalid, "bad web app package")

// The rules a package can break. They are stable identifiers: `loginshell
// check` prints them and CI scripts may match on them.
const (
	RuleNotZip          = "not-a-zip"           // the file is not a readable zip archive
	RuleCorrupt         = "corrupt"             // an entry cannot be decompressed (bad checksum, unsupported method)
	RulePathEscape      = "path-escape"         // "..", absolute path, drive letter, colon or backslash
	RuleBadName         = "bad-name"            // empty or "." segments, control characters
	RuleNameEncoding    = "name-encoding"       // the name is not valid UTF-8
	RuleSymlink         = "symlink"             // a symbolic link (never followed, never created)
	RuleSpecialFile     = "special-file"        // a device, pipe, socket or other non-regular file
	RuleDuplicate       = "duplicate-name"      // two entries with the same name, ignoring case
	RuleEncrypted       = "encrypted"           // an encrypted entry
	RuleTooManyEntries  = "too-many-entries"    // more entries than Options.MaxEntries
	RuleTooLarge        = "too-large"           // more bytes than Options.MaxTotalBytes
	RuleCompression     = "compression-ratio"   // expands more than Options.MaxRatio: a zip bomb
	RuleMissingManifest = "missing-manifest"    // no webapp.json at the root or in a single top folder
	RuleInvalidManifest = "invalid-manifest"    // webapp.json does not parse (see manifest.ParseWebApp)
	RuleMissingPage     = "missing-page"        // a page webapp.json names is not in the package
	RuleUnreadable      = "unreadable"          // a directory package's file cannot be read
	RuleChanged         = "changed-during-read" // a directory package's file changed while it was read
)

// PackageError is one thing wrong with a package, in words its author can
// act on. Entry is the entry's name as stored in the package ("" when the
// problem concerns the package as a whole), Rule one of the Rule constants.
type PackageError struct {
	Entry  string
	Rule   string
	Detail string

	cause error // what Detail was made from, when it was an error (a *manifest.DocumentError)
}

// Error reads like `bad web app package: entry "../x": path-escape: ...`.
// The entry name is quoted with %q, so control characters and invalid
// UTF-8 in hostile names cannot garble a terminal or a log line.
func (e *PackageError) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("%s: %s: %s", ErrBadPackage, e.Rule, e.Detail)
	}
	return fmt.Sprintf("%s: entry %q: %s: %s", ErrBadPackage, e.Entry, e.Rule, e.Detail)
}

// Is makes every PackageError match ErrBadPackage.
func (e *PackageError) Is(target error) bool { return target == ErrBadPackage }

// Unwrap returns the error the problem was found as, if any: an invalid
// webapp.json unwraps to its *manifest.DocumentError, so a reader that
// words the problem its own way can still name the field.
func (e *PackageError) Unwrap() error { return e.cause }

// Kind is fault.Invalid: the package was read and refused by its rules; the
// text names the entry and the rule.
func (e *PackageError) Kind() fault.Kind { return fault.Invalid }

// checkEntryName returns the name without its trailing slash, or the rule
// and detail it breaks. Names are zip names: "/"-separated and relative.
// Anything Windows or macOS would read differently from Linux is refused,
// so a package unpacks to the same tree everywhere.
func checkEntryName(name string) (clean, rule, detail string) {
	switch {
	case !utf8.ValidString(name):
		return "", RuleNameEncoding, "the name is not valid UTF-8; re-create the zip with a tool that stores UTF-8 names"
	case strings.Contains(name, `\`):
		return "", RulePathEscape, "the name contains a backslash, which Windows reads as a directory separator"
	case strings.HasPrefix(name, "/"):
		return "", RulePathEscape, "the name is an absolute path"
	case strings.Contains(name, ":"):
		return "", RulePathEscape, "the name contains a colon (a drive letter like C: or an NTFS stream)"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", RuleBadName, "the name contains a control character"
		}
	}
	clean = strings.TrimSuffix(name, "/")
	for _, seg := range strings.Split(clean, "/") {
		switch seg {
		case "..":
			return "", RulePathEscape, `the name has a ".." segment, which would write outside the package`
		case "", ".":
			return "", RuleBadName, `the name has an empty or "." segment`
		}
	}
	if rule, detail := checkPortable(clean); rule != "" {
		return "", rule, detail
	}
	return clean, "", ""
}

// foldKey maps a name to a key equal for all names that a case-insensitive
// file system (Windows, macOS) would treat as one: every rune becomes the
// smallest rune of its Unicode simple-folding orbit, so "K", "k" and the
// Kelvin sign collide.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < m {
				m = f
			}
		}
		b.WriteRune(m)
	}
	return b.String()
}

// checkEntryType refuses everything but plain files and directories. For a
// zip the type comes from the external attributes (Unix mode bits in the
// high half when the creator is Unix), which is where symlinks hide.
func checkEntryType(mode fs.FileMode) (rule, detail string) {
	switch t := mode.Type(); {
	case t&fs.ModeSymlink != 0:
		return RuleSymlink, "the entry is a symbolic link; packages may hold only files and directories"
	case t&^fs.ModeDir != 0:
		return RuleSpecialFile, fmt.Sprintf("the entry is a special file (%s); packages may hold only files and directories", t)
	}
	return "", ""
}

// zipEntryCount reads the entry count from a zip's end-of-central-directory
// record (and its zip64 twin) without parsing the directory, so a package
// claiming millions of entries is refused before archive/zip allocates one
// record per entry. ok is false when the record cannot be found; the caller
// then lets archive/zip report the problem.
func zipEntryCount(src io.ReaderAt, size int64) (count uint64, ok bool) {
	const eocdLen, maxComment = 22, 65535
	tail := int64(eocdLen + maxComment)
	if tail > size {
		tail = size
	}
	buf := make([]byte, tail)
	if _, err := src.ReadAt(buf, size-tail); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	i := len(buf) - eocdLen
	for ; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == 0x06054b50 {
			break
		}
	}
	if i < 0 {
		return 0, false
	}
	count = uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if count != 0xffff {
		return count, true
	}
	// zip64: the locator sits just before the record and points at the
	// zip64 end-of-central-directory record, which holds the real count.
	loc := make([]byte, 20)
	if at := size - tail + int64(i) - 20; at < 0 || readFull(src, loc, at) != nil ||
		binary.LittleEndian.Uint32(loc) != 0x07064b50 {
		return count, true
	}
	rec := make([]byte, 56)
	at := int64(binary.LittleEndian.Uint64(loc[8:]))
	if at < 0 || at > size-56 || readFull(src, rec, at) != nil || binary.LittleEndian.Uint32(rec) != 0x06064b50 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(rec[32:]), true
}

func readFull(src io.ReaderAt, buf []byte, at int64) error {
	_, err := src.ReadAt(buf, at)
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// zipEntries lists a zip's entries for walk. It refuses, before reading any
// data, archives that are not zips or declare more than MaxEntries entries.
func zipEntries(src io.ReaderAt, size int64, opts Options) ([]entry, *PackageError) {
	if n, ok := zipEntryCount(src, size); ok && n > uint64(opts.MaxEntries) {
		return nil, tooManyEntries(n, opts)
	}
	zr, err := zip.NewReader(src, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // insecure names are ours to report, by name
		return nil, &PackageError{Rule: RuleNotZip, Detail: "the file is not a readable zip archive (" + err.Error() + ")"}
	}
	if len(zr.File) > opts.MaxEntries {
		return nil, tooManyEntries(uint64(len(zr.File)), opts)
	}
	entries := make([]entry, 0, len(zr.File))
	for _, f := range zr.File {
		e := entry{
			name:       f.Name,
			mode:       f.Mode(),
			encrypted:  f.Flags&0x1 != 0,
			compressed: int64(min(f.CompressedSize64, 1<<62)),
			declared:   int64(min(f.UncompressedSize64, 1<<62)),
			open:       f.Open,
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			e.unsupported = fmt.Sprintf("the entry uses compression method %d; use deflate or store", f.Method)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

func tooManyEntries(n uint64, opts Options) *PackageError {
	return &PackageError{Rule: RuleTooManyEntries, Detail: fmt.Sprintf("the package has %d entries, more than the limit of %d", n, opts.MaxEntries)}
}
