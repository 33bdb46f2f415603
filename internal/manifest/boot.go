package manifest

import (
	"encoding/json"
	"fmt"
	"sort"
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
// agree. Every error is a *DocumentError naming the field, and matches
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
	if !ValidName(b.Starter) {
		return Boot{}, o.fail("starter", elementRule)
	}
	if b.OfflineName, err = o.aliased("offlineName", "offline"); err != nil {
		return Boot{}, err
	}
	if b.OfflineName != "" && !ValidName(b.OfflineName) {
		return Boot{}, o.fail("offlineName", elementRule)
	}
	if b.Dependencies, err = dependencies(o); err != nil {
		return Boot{}, err
	}
	return b, nil
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
