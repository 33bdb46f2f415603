// Package loginurl checks the address of the login server (the login_url
// setting, the organisation's OpenID issuer) that a person types into the
// shell. It applies the rule internal/online applies to the issuer, so an
// address accepted here is one a sign-in can use, and it says in words
// which part of the rule an address breaks: the text is shown as is.
package loginurl

import (
	"net"
	"net/url"
	"strings"

	"loginshell/internal/fault"
)

// ErrInvalid wraps every refusal of Parse; the wrapped text names the rule
// broken and is fit to show to the person who typed the address.
var ErrInvalid = fault.New(fault.BadRequest, "the login server address is not valid")

// rule is the whole rule, appended to each refusal so one message is enough
// to fix the address.
const rule = "use the full https address of the OpenID issuer, such as https://login.example.com " +
	"(plain http only on this machine: localhost, 127.0.0.0/8 or ::1)"

// Parse trims spaces around raw and returns it when it is an absolute URL
// with a host, no user name or password, no query and no fragment, whose
// scheme is https, or http on a loopback host (localhost, 127.0.0.0/8,
// ::1): an http issuer anywhere else would let the network read and change
// the sign-in. The address is returned as typed (no trailing slash is added
// or removed): OpenID compares the issuer exactly. Errors wrap ErrInvalid;
// they never repeat the address, which a person may have typed a password
// into.
func Parse(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fault.Detail(ErrInvalid, "it is empty; %s", rule)
	}
	if !strings.Contains(s, "://") && looksLikeHost(s) {
		// "login.example.com" or "login.example.com/realms/plant": what
		// people type from a browser's address bar.
		return "", fault.Detail(ErrInvalid, "it has no https:// in front; add https:// (https://%s); %s", hostPart(s), rule)
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Hostname() == "" || u.Opaque != "" {
		return "", fault.Detail(ErrInvalid, "it is not an absolute URL; %s", rule)
	}
	if u.User != nil {
		return "", fault.Detail(ErrInvalid, "it must not contain a user name or password; %s", rule)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fault.Detail(ErrInvalid, "it must not have a query (?) or a fragment (#); %s", rule)
	}
	switch u.Scheme { // url.Parse lowercases it
	case "https":
		return s, nil
	case "http":
		if isLoopback(u.Hostname()) {
			return s, nil
		}
		return "", fault.Detail(ErrInvalid, "plain http is allowed only on this machine; %s", rule)
	default:
		return "", fault.Detail(ErrInvalid, "it must start with https://; %s", rule)
	}
}

// isLoopback is internal/online's rule, to the letter: the name localhost,
// or a loopback IP address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// looksLikeHost reports whether s starts like a host name and port:
// letters, digits, dots, dashes and a colon up to the first slash, with a
// dot or "localhost" among them.
func looksLikeHost(s string) bool {
	host := hostPart(s)
	if host == "" || strings.ContainsFunc(host, func(r rune) bool {
		return !(r == '.' || r == '-' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return false
	}
	name, _, _ := strings.Cut(host, ":")
	return strings.Contains(name, ".") || strings.EqualFold(name, "localhost")
}

// hostPart is s up to its first slash, query or fragment: the host and
// port a person typed, and nothing after them (which could hold anything).
func hostPart(s string) string {
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		return s[:i]
	}
	return s
}
