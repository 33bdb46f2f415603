package pkginstall

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"unicode/utf8"
)

// The rules on names that must hold on every computer a package is
// installed on, not only on the one that checks it (see checkPortable).
const (
	RuleNameTooLong = "name-too-long" // a name part over MaxNameBytes, a path over MaxPathBytes
	RuleWindowsName = "windows-name"  // a name Windows cannot hold: CON, nul.txt, a trailing dot, a "?"
)

// Limits on entry names, in bytes of UTF-8.
//
// MaxNameBytes is the limit of ext4, btrfs, APFS and, counted in UTF-16
// units, NTFS (255 UTF-8 bytes never need more than 255 UTF-16 units), so a
// name part within it can be created everywhere.
//
// MaxPathBytes bounds a whole entry name. Extraction opens names relative
// to the extraction directory (os.Root), but serving and the catalog open
// them by absolute path, data directory, package name and version first;
// 1024 bytes keeps that under Linux's PATH_MAX (4096) with room for a long
// data directory and a name and version of MaxNameBytes each. Windows is
// not the bound: Go opens long absolute paths there with the \\?\ prefix.
// Real web app trees stay far below it.
const (
	MaxNameBytes = 255
	MaxPathBytes = 1024
)

// checkPortable applies the rules a clean, relative, "/"-separated name
// must pass to be written alike on Linux, macOS and Windows: the length
// limits, and none of the names or characters Windows refuses or silently
// changes. checkEntryName runs the other rules first.
func checkPortable(clean string) (rule, detail string) {
	for _, seg := range strings.Split(clean, "/") {
		if rule, reason := checkSegment(seg); rule != "" {
			return rule, fmt.Sprintf("%q %s", shorten(seg), reason)
		}
	}
	if len(clean) > MaxPathBytes {
		return RuleNameTooLong, fmt.Sprintf("the path is %d bytes long, more than the limit of %d", len(clean), MaxPathBytes)
	}
	return "", ""
}

// checkSegment applies the per-name rules to one part of a path (or the
// package name or version, which become folder names). reason reads after
// the name: `"nul.txt" <reason>`.
func checkSegment(seg string) (rule, reason string) {
	if len(seg) > MaxNameBytes {
		return RuleNameTooLong, fmt.Sprintf("is %d bytes long; a file or folder name may have at most %d bytes", len(seg), MaxNameBytes)
	}
	if i := strings.IndexAny(seg, `<>:"|?*`); i >= 0 {
		return RuleWindowsName, fmt.Sprintf("contains %q, which Windows does not allow in file names", seg[i:i+1])
	}
	if strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " ") {
		return RuleWindowsName, "ends in a dot or a space, which Windows drops, so the file would get another name there"
	}
	if dev := windowsDevice(seg); dev != "" {
		return RuleWindowsName, fmt.Sprintf("names the Windows device %s; no file or folder there may have that name, with or without an extension", dev)
	}
	return "", ""
}

// windowsDevice returns the reserved device name seg stands for on
// Windows, or "". Windows reads the part before the first dot, ignoring
// case and trailing spaces, so "nul.txt", "Com1.tar.gz" and "aux .js" all
// open the device; COM and LPT with a superscript digit are devices too.
func windowsDevice(seg string) string {
	base, _, _ := strings.Cut(seg, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return base
	}
	if len(base) > 3 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		switch base[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "\u00b9", "\u00b2", "\u00b3":
			return base
		}
	}
	return ""
}

// shorten keeps a long name readable in a message: its first 40 bytes (cut
// at a character) and an ellipsis.
func shorten(s string) string {
	const keep = 40
	if len(s) <= keep+3 {
		return s
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// nameTooLongOnDisk reports whether an extraction error is the file
// system refusing a name as too long (ENAMETOOLONG): a limit of this
// computer tighter than the rules (an old file system, a deep data
// directory). It is still the package's name that does not fit, so the
// install refuses it with the entry and RuleNameTooLong, not as an
// internal error.
func nameTooLongOnDisk(err error) bool {
	return errors.Is(err, syscall.ENAMETOOLONG)
}
