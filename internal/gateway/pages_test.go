package gateway

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"loginshell/internal/webapps"
)

const pagesHost = "p00112233445566778899aabbccddeeff.localhost:8123"

// lineHost is the line app's own origin's host under pagesHost.
var lineHost = webapps.PackageLabel("lineapp") + "." + pagesHost

func pagesHandler(t *testing.T) http.Handler {
	t.Helper()
	tag := func(s string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) })
	}
	h, err := Pages(PagesOptions{PMAPI: tag("pmapi"), Webapps: tag("webapps"), Host: pagesHost,
		FrameAncestors: []string{"wails://wails", "http://127.0.0.1:8123"}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// The pages' origin serves the services and the packages to pages on it,
// and nothing and nobody else.
func TestPages(t *testing.T) {
	t.Parallel()
	h := pagesHandler(t)
	self := "http://" + lineHost
	tests := []struct {
		name       string
		method     string
		target     string
		host       string // "" = pagesHost
		header     map[string]string
		wantStatus int
		wantBody   string
	}{
		{name: "a page loads", target: "/webapps/lineapp/index.html", wantStatus: 200, wantBody: "webapps"},
		{name: "a page calls a service", target: "/pmapi/version", wantStatus: 200, wantBody: "pmapi"},
		{name: "a page's own PUT passes", method: "PUT", target: "/pmapi/auth/t/authenticate?p=x",
			header: map[string]string{"Origin": self, "Sec-Fetch-Site": "same-origin"}, wantStatus: 200, wantBody: "pmapi"},
		{name: "the chrome's endpoints are not here", target: "/shell/view", wantStatus: 404},
		{name: "the upload endpoint is not here", method: "POST", target: "/shell/install", header: map[string]string{"Origin": self}, wantStatus: 404},
		{name: "the chrome's files are not here", target: "/", wantStatus: 404},
		{name: "127.0.0.1 on the same port is refused", host: "127.0.0.1:8123", target: "/pmapi/version", wantStatus: 403},
		{name: "the bare pages host is refused", host: pagesHost, target: "/pmapi/version", wantStatus: 403},
		{name: "another package's page is not on the line app's origin", target: "/webapps/offline-login/login.html", wantStatus: 404},
		{name: "the offline package's page is on its own origin", host: webapps.PackageLabel("offline-login") + "." + pagesHost,
			target: "/webapps/offline-login/login.html", wantStatus: 200, wantBody: "webapps"},
		{name: "a label of two parts is refused", host: "x." + lineHost, target: "/pmapi/version", wantStatus: 403},
		{name: "another pages host is refused", host: webapps.PackageLabel("lineapp") + ".pffff.localhost:8123", target: "/pmapi/version", wantStatus: 403},
		{name: "a suffix of the host is refused", host: lineHost + ".evil.example", target: "/pmapi/version", wantStatus: 403},
		// Issue 20: pinned, each broken on purpose once and caught here.
		{name: "a sibling package's Origin is refused", target: "/pmapi/signature/requests",
			header: map[string]string{"Origin": "http://" + webapps.PackageLabel("hostile") + "." + pagesHost}, wantStatus: 403},
		{name: "a sibling package's Origin is refused for a state change too", method: "POST", target: "/pmapi/signature/requests",
			header: map[string]string{"Origin": "http://" + webapps.PackageLabel("hostile") + "." + pagesHost, "Sec-Fetch-Site": "same-site"}, wantStatus: 403},
		{name: "another package's bare path is not on the line app's origin", target: "/webapps/offline-login", wantStatus: 404},
		{name: "another package's path with a query is not here either", target: "/webapps/offline-login?x=1", wantStatus: 404},
		{name: "a host that is no package label is refused", host: "zz." + pagesHost, target: "/pmapi/version", wantStatus: 403},
		{name: "the chrome's Origin is refused", target: "/pmapi/user", header: map[string]string{"Origin": "http://127.0.0.1:8123"}, wantStatus: 403},
		{name: "another port's Origin is refused", target: "/pmapi/user", header: map[string]string{"Origin": "http://127.0.0.1:47777"}, wantStatus: 403},
		{name: "a cross-site state change without Origin is refused", method: "POST", target: "/pmapi/boot/restart",
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403},
		{name: "a same-site but cross-origin state change is refused", method: "PUT", target: "/pmapi/usersettings/login_url",
			header: map[string]string{"Sec-Fetch-Site": "same-site"}, wantStatus: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			r := httptest.NewRequest(method, tt.target, nil)
			r.Host = lineHost
			if tt.host != "" {
				r.Host = tt.host
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus || (tt.wantBody != "" && w.Body.String() != tt.wantBody) {
				t.Fatalf("%s %s (Host %s) = %d %q, want %d %q", method, tt.target, r.Host, w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			if w.Code == 200 {
				if got := w.Header().Get("Content-Security-Policy"); got != "frame-ancestors wails://wails http://127.0.0.1:8123" {
					t.Errorf("Content-Security-Policy = %q, want only the chrome's origins as frame ancestors", got)
				}
			}
		})
	}
}

func TestPagesHostIsRandomAndLoopback(t *testing.T) {
	t.Parallel()
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8123}
	a, b := PagesHost(addr), PagesHost(addr)
	re := regexp.MustCompile(`^p[0-9a-f]{32}\.localhost:8123$`)
	if !re.MatchString(a) || !re.MatchString(b) || a == b {
		t.Errorf("PagesHost = %q, %q; want two different p<128-bit hex>.localhost:8123", a, b)
	}
	if !strings.HasSuffix(strings.SplitN(a, ":", 2)[0], ".localhost") {
		t.Errorf("%q does not resolve to loopback by name", a)
	}
}

func TestPagesRefusesMissingParts(t *testing.T) {
	t.Parallel()
	h := http.NotFoundHandler()
	for name, o := range map[string]PagesOptions{
		"without pmapi":     {Webapps: h, Host: pagesHost, FrameAncestors: []string{"x"}},
		"without webapps":   {PMAPI: h, Host: pagesHost, FrameAncestors: []string{"x"}},
		"without a host":    {PMAPI: h, Webapps: h, FrameAncestors: []string{"x"}},
		"without ancestors": {PMAPI: h, Webapps: h, Host: pagesHost},
	} {
		if _, err := Pages(o); err == nil {
			t.Errorf("Pages %s succeeded", name)
		}
	}
}

// The chrome serves neither the services nor the packages: a page address
// on the chrome's origin finds nothing.
func TestChromeServesNoPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, target := range []string{"/pmapi/version", "/webapps/lineapp/index.html"} {
		if w := f.do("GET", target); w.Code != http.StatusNotFound {
			t.Errorf("GET %s on the chrome = %d, want 404", target, w.Code)
		}
	}
}
