package manifest

import (
	"fmt"
	"strings"
)

// The keys of the container's CLI (`pm publish`) that say where a
// package's files are: the folder whose contents are the package, and the
// folder the CLI wrote app-<name>_<version>.zip to. Both are relative to
// the folder holding webapp.json. The shell reads packages laid out this
// way as they are and installs them without the two keys.
const (
	KeySrcFolder    = "src-folder"
	KeyOutputFolder = "output-folder"
)

// SrcFolder returns the "src-folder" of a webapp.json (data) as a slash
// path inside the manifest's folder ("." for the folder itself, "" when
// absent), or the problem that refuses it. A document that is not a JSON
// object has none: ParseWebApp reports it.
func SrcFolder(data []byte) (folder, problem string) {
	o, err := readObject(WebAppFile, data)
	if err != nil {
		return "", ""
	}
	src, err := o.str(KeySrcFolder)
	if err != nil {
		return "", fmt.Sprintf("%q must be a string", KeySrcFolder)
	}
	return CleanFolder(src)
}

// OutputFolder returns the "output-folder" of a webapp.json as written
// (trimmed), "" when absent or unreadable. It is not cleaned: the CLI
// wrote its zips there, so a reader compares it as a path to where a zip
// lies; CleanFolder says whether it lies inside the package.
func OutputFolder(data []byte) string {
	o, err := readObject(WebAppFile, data)
	if err != nil {
		return ""
	}
	out, err := o.str(KeyOutputFolder)
	if err != nil {
		return ""
	}
	return out
}

// CleanFolder checks a folder path of the container's CLI: relative,
// inside the manifest's folder, forward slashes ("./dist/" reads as
// "dist", "." and "./" as "."). It returns "" for "", else the clean path
// or the problem that refuses it.
func CleanFolder(p string) (folder, problem string) {
	if p == "" {
		return "", ""
	}
	trimmed := strings.TrimRight(p, "/")
	if trimmed == "." {
		return ".", ""
	}
	clean, bad := cleanPagePath(trimmed)
	if bad != "" || strings.HasPrefix(p, "/") {
		return "", fmt.Sprintf("%q %q must be a folder inside the folder of webapp.json (no \"..\", no absolute path)", KeySrcFolder, p)
	}
	return clean, ""
}
