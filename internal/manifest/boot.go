package manifest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Boot is the boot document: which packages make up the installation, which
// one the user sees after login (Starter) and which one signs people in
// when the login server cannot be reached (OfflineName, empty when offline
// login is not offered).
type Boot struct {
	Name         string
	Version      string
	Starter      string
	OfflineName  string
	Dependencies map[string]string // package name -> version, never nil
}

const bootDoc = "boot document"

// ParseBoot reads a boot document. "name", "version" and "starter" are
// required; "offline" is accepted as an alias of "offlineName" (packages
// written for the mobile container use it), and both may appear only if they
// agree. The starter and offline app may be written name@version, as the
// container's `pm define` took them: the version must be the dependency's,
// and Boot holds the name alone. Every error is a *DocumentError naming the field, and matches
// ErrInvalidDocument. Unknown fields are ignored.
//
// ParseBoot does not check that the named packages are installed; callers
// look them up in the package library's catalog.
func ParseBoot(data []byte) (Boot, error) {
	o, err := readObject(bootDoc, data)
	if err != nil {
		return Boot{}, err
	}
	var b Boot
	required := []struct {
		key, hint string
		dst       *string
	}{
		{"name", "name this installation", &b.Name},
		{"version", "give this installation a version", &b.Version},
		{"starter", "name the web app shown after login", &b.Starter},
	}
	for _, f := range required {
		v, err := o.str(f.key)
		if err != nil {
			return Boot{}, err
		}
		if v == "" {
			return Boot{}, o.fail(f.key, "is missing; "+f.hint)
		}
		*f.dst = v
	}
	if b.OfflineName, err = o.aliased("offlineName", "offline"); err != nil {
		return Boot{}, err
	}
	if b.Dependencies, err = dependencies(o); err != nil {
		return Boot{}, err
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"starter", &b.Starter}, {"offlineName", &b.OfflineName}} {
		if *f.dst == "" {
			continue
		}
		name, err := reference(o, f.key, *f.dst, b.Dependencies)
		if err != nil {
			return Boot{}, err
		}
		*f.dst = name
	}
	return b, nil
}

// reference reads the starter or offline app as the container's `pm
// define` took it: a package name, or name@version, whose version must be
// the one the dependencies give that name (the container refused any
// other).
func reference(o object, key, ref string, deps map[string]string) (string, error) {
	name, version, pinned := strings.Cut(ref, "@")
	switch {
	case !ValidName(name):
		return "", o.fail(key, elementRule)
	case !pinned:
		return name, nil
	case !ValidVersion(version):
		return "", o.fail(key, fmt.Sprintf("%q is not name@version with a version of %s", ref, VersionRule))
	case deps[name] != version:
		return "", o.fail(key, fmt.Sprintf("names %s at version %s, but the dependencies give %q version %q; make them agree", name, version, name, deps[name]))
	}
	return name, nil
}

func dependencies(o object) (map[string]string, error) {
	deps := map[string]string{}
	raw, ok := o.fields["dependencies"]
	if !ok || string(raw) == "null" {
		return deps, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, o.fail("dependencies", `must be an object of {"package name": "version"}`)
	}
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names) // report the same problem first every time
	for _, name := range names {
		var version string
		if err := json.Unmarshal(m[name], &version); err != nil {
			return nil, o.fail("dependencies", fmt.Sprintf("entry %q must be a version string", name))
		}
		switch {
		case !ValidName(name):
			return nil, o.fail("dependencies", fmt.Sprintf("entry %q is not a package name: %s", name, elementRule))
		case version == "":
			return nil, o.fail("dependencies", fmt.Sprintf("entry %q has no version", name))
		case !ValidName(version):
			return nil, o.fail("dependencies", fmt.Sprintf("entry %q has version %q, which %s", name, version, elementRule))
		}
		deps[name] = version
	}
	return deps, nil
}
