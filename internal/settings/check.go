package settings

import (
	"net/url"
	"strconv"
	"strings"

	"loginshell/internal/fault"
	"loginshell/internal/loginurl"
)

// ErrInvalid refuses a value the shell cannot use for its key (a login_url
// that is no login server's address); nothing is stored.
var ErrInvalid = fault.New(fault.BadRequest, "this setting's value is not valid")

// Check applies the rule of key to v and returns the value as it is
// stored: the one validation of the shell's own settings, whichever way
// they are set (the command line's flags, the chrome's Settings place, the
// first-start form, Merge). login_url must pass loginurl.Parse ("" clears
// it); redirect_port is a whole number from 0 to 65535 (a JSON number or
// digits; "" and null clear it); signature_store is "" or a PostgreSQL DSN
// without a password; alert_command and installer_role are strings, kept
// trimmed. Other keys pass as they are. Errors wrap ErrInvalid (or
// loginurl.ErrInvalid) with a text fit to show as is; none repeats the
// value.
func Check(key string, v any) (any, error) {
	switch canonical(key) {
	case LoginURL:
		return checkLoginURL(v)
	case RedirectPort:
		return checkPort(v)
	case SignatureStore:
		return checkStoreDSN(v)
	case AlertCommand:
		text, ok := v.(string)
		if !ok {
			return nil, fault.Detail(ErrInvalid, "alert_command must be a string: a program and its arguments, separated by spaces")
		}
		return strings.TrimSpace(text), nil
	case InstallerRole:
		text, ok := v.(string)
		if !ok {
			return nil, fault.Detail(ErrInvalid, "installer_role must be a string: the role a person needs to install packages")
		}
		return strings.TrimSpace(text), nil
	}
	return v, nil
}

// checkLoginURL applies the login server rule to a login_url value.
func checkLoginURL(v any) (string, error) {
	text, ok := v.(string)
	if !ok {
		return "", fault.Detail(ErrInvalid, "login_url must be a string, the login server's address")
	}
	if text == "" {
		return "", nil
	}
	return loginurl.Parse(text)
}

// checkStoreDSN reads a signature_store value: "" or a PostgreSQL DSN
// (URL or key=value) without a password.
func checkStoreDSN(v any) (string, error) {
	text, ok := v.(string)
	if !ok {
		return "", fault.Detail(ErrInvalid, "signature_store must be a string, a PostgreSQL DSN")
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil
	}
	lower := strings.ToLower(text)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		u, err := url.Parse(text)
		if err != nil {
			return "", fault.Detail(ErrInvalid, "signature_store is not a PostgreSQL URL (postgres://USER@HOST/DATABASE)")
		}
		if _, has := u.User.Password(); has || u.Query().Has("password") {
			return "", errStorePassword
		}
	case strings.Contains(lower, "="):
		if strings.Contains(lower, "password") {
			return "", errStorePassword
		}
	default:
		return "", fault.Detail(ErrInvalid, "signature_store must be a PostgreSQL DSN (postgres://USER@HOST/DATABASE?sslmode=verify-full)")
	}
	return text, nil
}

// errStorePassword refuses a signature_store with a password in it; its
// text never repeats the value.
var errStorePassword = fault.Detail(ErrInvalid, "signature_store must not hold a password: put it in ~/.pgpass (or PGPASSWORD) of the account the shell runs as")

// checkPort reads a redirect_port value: a JSON number or a string of
// digits (the --redirect-port flag, a page's form field), 0 to 65535, stored
// as a number. "" and null clear it (a random port).
func checkPort(v any) (any, error) {
	refuse := fault.Detail(ErrInvalid, "redirect_port must be a port number from 1 to 65535, or 0 for a random port")
	var n float64
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		n = x
	case int:
		n = float64(x)
	case string:
		x = strings.TrimSpace(x)
		if x == "" {
			return nil, nil
		}
		i, err := strconv.Atoi(x)
		if err != nil {
			return nil, refuse
		}
		n = float64(i)
	default:
		return nil, refuse
	}
	if n != float64(int(n)) || n < 0 || n > 65535 {
		return nil, refuse
	}
	return n, nil
}
