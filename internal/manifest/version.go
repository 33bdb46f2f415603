package manifest

import (
	"regexp"
	"strings"
)

// VersionRule names the mobile container's form of a version: whole
// numbers joined by single dots ("1", "2.0", "0.0.1", "1.0.0.2"), exactly
// the version part of the pattern its CLI checked an app definition's
// "starter" and "offline" against (`pm define`: name@version,
// /^[^@#.]+(@([0-9]+\.?)*[0-9])?$/ in the CLI's config.js). The seeds say
// nothing of versions; `pm publish` took any version for a package, so
// ValidVersion is a warning there (`loginshell check`), and a rule only
// in name@version.
const VersionRule = "whole numbers joined by dots (1, 2.0, 0.0.1), the only versions the mobile container's CLI took in name@version (pm define)"

var versionRule = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

// ValidVersion reports whether v follows VersionRule.
func ValidVersion(v string) bool { return versionRule.MatchString(v) }

// CompareVersions orders dotted versions the way people read them: numeric
// parts numerically ("1.10.0" > "1.9.3"), a missing part below a present one
// ("1.0" < "1.0.0"), and a release above its pre-release ("1.0.0" >
// "1.0.0-beta", like semver). Non-numeric parts compare as text. It returns
// -1, 0 or +1.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		switch {
		case i >= len(as):
			return -1
		case i >= len(bs):
			return 1
		}
		if c := comparePart(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return 0
}

// comparePart compares one dotted part: its leading digits as a number,
// then whatever follows ("0-beta" has the suffix "-beta"), where no suffix
// ranks highest.
func comparePart(a, b string) int {
	an, asuf := splitDigits(a)
	bn, bsuf := splitDigits(b)
	if c := compareNumbers(an, bn); c != 0 {
		return c
	}
	switch {
	case asuf == bsuf:
		return 0
	case asuf == "":
		return 1
	case bsuf == "":
		return -1
	case asuf < bsuf:
		return -1
	}
	return 1
}

func splitDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// compareNumbers compares decimal digit strings of any length without
// parsing them, so "20240101120000" cannot overflow. An empty string (a part
// with no leading digits) ranks below every number.
func compareNumbers(a, b string) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	switch {
	case len(a) != len(b):
		if len(a) < len(b) {
			return -1
		}
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
