package pmapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"loginshell/internal/fault"
	"loginshell/internal/redact"
	"loginshell/internal/settings"
)

// maxBody bounds the JSON a page may send; settings and user dictionaries
// are small, and an unbounded read is a memory hazard.
const maxBody = 1 << 20

// maxLogLine bounds one line a page logs: enough for any message, too
// little to flood the shell's log.
const maxLogLine = 8 << 10

// serviceRoutes are the container's other services: user, usersettings,
// log, version, connectivity, window and boot.
func (a *api) serviceRoutes() []route {
	return []route{
		{http.MethodGet, "/user", a.handle(a.allUser)},
		{http.MethodGet, "/user/{key}", a.handle(a.userValue)},
		{http.MethodPost, "/user", a.handle(a.replaceUser)},
		{http.MethodDelete, "/user", a.handle(a.clearUser)},

		{http.MethodGet, "/usersettings", a.handle(a.allSettings)},
		{http.MethodPut, "/usersettings", a.handle(a.mergeSettings)},
		{http.MethodGet, "/usersettings/{key}", a.handle(a.setting)},
		{http.MethodPut, "/usersettings/{key}", a.handle(a.putSetting)},
		{http.MethodDelete, "/usersettings/{key}", a.handle(a.deleteSetting)},

		{http.MethodPut, "/log", a.handle(a.pageLog)},
		{http.MethodPost, "/log", a.handle(a.pageLog)},

		{http.MethodGet, "/version", a.handle(a.version)},
		{http.MethodGet, "/connectivity", a.handle(a.connectivity)},
		// A state change: never by GET, which an <img> of any page could send.
		{http.MethodPost, "/window/pane", a.handle(a.showPane)},
		{http.MethodPut, "/window/pane", a.handle(a.showPane)},

		{http.MethodPost, "/boot/restart", a.handle(a.restart)},
	}
}

// allUser answers the dictionary's JSON, encoded once per version of the
// dictionary (GET /user is what every page asks first, and often).
func (a *api) allUser(*http.Request) (any, error) {
	if c := a.userJSON.Load(); c != nil && c.version == a.Users.Version() {
		return c.body, nil
	}
	d, version := a.Users.Snapshot()
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	c := &userJSON{version: version, body: encoded(append(b, '\n'))}
	a.userJSON.Store(c)
	return c.body, nil
}

// userJSON is the user dictionary of one version, encoded.
type userJSON struct {
	version uint64
	body    any // an encoded, put in an interface once: returning it allocates nothing
}

func (a *api) userValue(r *http.Request) (any, error) {
	v, ok := a.Users.Get(r.PathValue("key"))
	if !ok {
		return nil, fault.Detail(errNotFound, "the user service holds no %q", r.PathValue("key"))
	}
	return v, nil
}

func (a *api) replaceUser(r *http.Request) (any, error) {
	var d map[string]any
	if err := readJSON(r, &d); err != nil {
		return nil, err
	}
	a.Users.Replace(d)
	return a.Users.All(), nil
}

func (a *api) clearUser(*http.Request) (any, error) {
	a.Users.Clear()
	return done("cleared"), nil
}

func (a *api) allSettings(*http.Request) (any, error) { return a.publicSettings(), nil }

func (a *api) mergeSettings(r *http.Request) (any, error) {
	var d map[string]any
	if err := readJSON(r, &d); err != nil {
		return nil, err
	}
	for k := range d {
		if err := pageMayWrite(k); err != nil {
			return nil, err
		}
	}
	if err := a.Settings.Merge(d); err != nil {
		return nil, err
	}
	return a.publicSettings(), nil
}

func (a *api) setting(r *http.Request) (any, error) {
	key := r.PathValue("key")
	v, err := a.Settings.Get(key)
	if err != nil {
		return nil, err
	}
	if secretSetting(key) {
		v = redact.Mask
	}
	return v, nil
}

func (a *api) putSetting(r *http.Request) (any, error) {
	if err := pageMayWrite(r.PathValue("key")); err != nil {
		return nil, err
	}
	var v any
	if err := readJSON(r, &v); err != nil {
		return nil, err
	}
	if err := a.Settings.Set(r.PathValue("key"), v); err != nil {
		return nil, err
	}
	return done("saved"), nil
}

func (a *api) deleteSetting(r *http.Request) (any, error) {
	if err := pageMayWrite(r.PathValue("key")); err != nil {
		return nil, err
	}
	if err := a.Settings.Delete(r.PathValue("key")); err != nil {
		return nil, err
	}
	return done("deleted"), nil
}

func (a *api) version(*http.Request) (any, error) {
	return map[string]string{"name": "loginshell", "version": a.Version}, nil
}

func (a *api) connectivity(r *http.Request) (any, error) { return a.Connectivity(r.Context()), nil }

// showPane is window/pane?webapp=NAME: the web app NAME in the content
// area.
func (a *api) showPane(r *http.Request) (any, error) {
	name := r.URL.Query().Get("webapp")
	if name == "" {
		return nil, fault.Detail(errBadRequest, "name the web app to show: window/pane?webapp=NAME")
	}
	if err := a.Windows.ShowApp(name); err != nil {
		return nil, err
	}
	return map[string]string{"status": "shown", "webapp": name}, nil
}

func (a *api) restart(*http.Request) (any, error) {
	a.Boot.Restart()
	return done("restarting"), nil
}

// errShellOnly refuses a page's write of a setting the shell itself reads.
var errShellOnly = fault.New(fault.Forbidden, "this setting is the shell's own; pages can read it but not change it")

// whereSet says where a person sets each shell key instead.
var whereSet = map[string]string{
	settings.LoginURL:       "the shell's own Settings (its top bar) or --login-url",
	settings.RedirectPort:   "the shell's own Settings or --redirect-port on its command line",
	settings.SignatureStore: "the shell's own Settings or --store on its command line",
}

// pageMayWrite refuses the settings a page must not change: every key the
// shell itself reads (settings.IsShellKey). A page could otherwise point
// the sign-in, and the signatures made with it, at a provider it controls,
// or send the trail to a database of its choosing. The answer names the
// key and where it is set.
func pageMayWrite(key string) error {
	if !settings.IsShellKey(key) {
		return nil
	}
	canon := settings.Canonical(strings.ToLower(strings.TrimSpace(key)))
	where, ok := whereSet[canon]
	if !ok {
		where = "the settings file of the shell's data directory"
	}
	return fault.Detail(errShellOnly, "%q is set in %s", key, where)
}

// secretSetting reports whether a setting's value must not be handed to
// pages (the OIDC client secret).
func secretSetting(key string) bool { return key == "client_secret" }

func (a *api) publicSettings() map[string]any {
	all := a.Settings.All()
	for k := range all {
		if secretSetting(k) {
			all[k] = redact.Mask
		}
	}
	return all
}

// pageLog takes {level, log} from a page (PUT, as the container's Logging
// service) into the shell's log, redacted like every other line.
func (a *api) pageLog(r *http.Request) (any, error) {
	var entry struct {
		Level string `json:"level"`
		Log   string `json:"log"`
	}
	if err := readJSON(r, &entry); err != nil {
		return nil, err
	}
	if entry.Log == "" {
		return nil, fault.Detail(errBadRequest, `the body must be {"level": "info", "log": "text"}`)
	}
	if len(entry.Log) > maxLogLine {
		return nil, fault.Detail(errTooLarge, "a log line is at most %d bytes; this one has %d", maxLogLine, len(entry.Log))
	}
	level := slog.LevelInfo
	switch strings.ToLower(entry.Level) {
	case "debug", "trace", "verbose":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error", "fatal", "critical":
		level = slog.LevelError
	}
	a.log.Log(r.Context(), level, entry.Log, "source", "page", "referer", r.Referer())
	return reply{http.StatusCreated, done("logged")}, nil
}

// readJSON decodes a bounded JSON body into v.
func readJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return fault.Detail(errBadRequest, "the body could not be read")
	}
	if len(b) > maxBody {
		return fault.Detail(errTooLarge, "the body is larger than %d bytes", maxBody)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fault.Detail(errBadRequest, "the body is not the JSON this service expects")
	}
	return nil
}
