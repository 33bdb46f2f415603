package pmapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"loginshell/internal/fault"
	"loginshell/internal/settings"

	"loginshell/internal/redact"
)

// maxBody bounds the JSON a page may send; settings and user dictionaries
// are small, and an unbounded read is a memory hazard.
const maxBody = 1 << 20

// maxLogLine bounds one line a page logs: enough for any message, too
// little to flood the shell's log.
const maxLogLine = 8 << 10

func (a *api) routeServices(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Prefix+"/user", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, a.Users.All())
	})
	mux.HandleFunc("GET "+Prefix+"/user/{key}", func(w http.ResponseWriter, r *http.Request) {
		v, ok := a.Users.Get(r.PathValue("key"))
		if !ok {
			a.writeError(w, r, fault.Detail(errNotFound, "the user service holds no %q", r.PathValue("key")))
			return
		}
		WriteJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("POST "+Prefix+"/user", func(w http.ResponseWriter, r *http.Request) {
		var d map[string]any
		if err := readJSON(r, &d); err != nil {
			a.writeError(w, r, err)
			return
		}
		a.Users.Replace(d)
		WriteJSON(w, http.StatusOK, a.Users.All())
	})
	mux.HandleFunc("DELETE "+Prefix+"/user", func(w http.ResponseWriter, r *http.Request) {
		a.Users.Clear()
		WriteJSON(w, http.StatusOK, map[string]string{"status": "cleared"})
	})

	mux.HandleFunc("GET "+Prefix+"/usersettings", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, a.publicSettings())
	})
	mux.HandleFunc("PUT "+Prefix+"/usersettings", func(w http.ResponseWriter, r *http.Request) {
		var d map[string]any
		if err := readJSON(r, &d); err != nil {
			a.writeError(w, r, err)
			return
		}
		for k := range d {
			if err := pageMayWrite(k); err != nil {
				a.writeError(w, r, err)
				return
			}
		}
		if err := a.Settings.Merge(d); err != nil {
			a.writeError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, a.publicSettings())
	})
	mux.HandleFunc("GET "+Prefix+"/usersettings/{key}", func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		v, err := a.Settings.Get(key)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if secretSetting(key) {
			v = redact.Mask
		}
		WriteJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("PUT "+Prefix+"/usersettings/{key}", func(w http.ResponseWriter, r *http.Request) {
		if err := pageMayWrite(r.PathValue("key")); err != nil {
			a.writeError(w, r, err)
			return
		}
		var v any
		if err := readJSON(r, &v); err != nil {
			a.writeError(w, r, err)
			return
		}
		if err := a.Settings.Set(r.PathValue("key"), v); err != nil {
			a.writeError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "saved"})
	})
	mux.HandleFunc("DELETE "+Prefix+"/usersettings/{key}", func(w http.ResponseWriter, r *http.Request) {
		if err := pageMayWrite(r.PathValue("key")); err != nil {
			a.writeError(w, r, err)
			return
		}
		if err := a.Settings.Delete(r.PathValue("key")); err != nil {
			a.writeError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "deleted"})
	})

	mux.HandleFunc("PUT "+Prefix+"/log", a.pageLog)
	mux.HandleFunc("POST "+Prefix+"/log", a.pageLog)

	mux.HandleFunc("GET "+Prefix+"/version", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"name": "loginshell", "version": a.Version})
	})
	mux.HandleFunc("GET "+Prefix+"/connectivity", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, a.Connectivity(r.Context()))
	})
	pane := func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("webapp")
		if name == "" {
			a.writeError(w, r, fault.Detail(errBadRequest, "name the web app to show: window/pane?webapp=NAME"))
			return
		}
		if err := a.Windows.ShowApp(name); err != nil {
			a.writeError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "shown", "webapp": name})
	}
	// A state change: never by GET, which an <img> of any page could send.
	mux.HandleFunc("POST "+Prefix+"/window/pane", pane)
	mux.HandleFunc("PUT "+Prefix+"/window/pane", pane)

	mux.HandleFunc("POST "+Prefix+"/boot/restart", func(w http.ResponseWriter, r *http.Request) {
		a.Boot.Restart()
		WriteJSON(w, http.StatusOK, map[string]string{"status": "restarting"})
	})
}

// errShellOnly refuses a page's write of a setting the shell itself reads.
var errShellOnly = fault.New(fault.Forbidden, "this setting is the shell's own; pages can read it but not change it")

// whereSet says where a person sets each shell key instead.
var whereSet = map[string]string{
	settings.LoginURL:       "the shell's own login server form or --login-url",
	settings.RedirectPort:   "--redirect-port on the shell's command line",
	settings.SignatureStore: "the command line only (--store)",
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
func (a *api) pageLog(w http.ResponseWriter, r *http.Request) {
	var entry struct {
		Level string `json:"level"`
		Log   string `json:"log"`
	}
	if err := readJSON(r, &entry); err != nil {
		a.writeError(w, r, err)
		return
	}
	if entry.Log == "" {
		a.writeError(w, r, fault.Detail(errBadRequest, `the body must be {"level": "info", "log": "text"}`))
		return
	}
	if len(entry.Log) > maxLogLine {
		a.writeError(w, r, fault.Detail(errTooLarge, "a log line is at most %d bytes; this one has %d", maxLogLine, len(entry.Log)))
		return
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
	WriteJSON(w, http.StatusCreated, map[string]string{"status": "logged"})
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
