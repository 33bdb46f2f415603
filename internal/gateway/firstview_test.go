package gateway

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"loginshell/internal/screen"
)

const testIndex = `<head><script type="application/json" id="first-view"></script></head>` +
	`<body><iframe id="content" title="Content" hidden></iframe></body>`

var reFirstView = regexp.MustCompile(`<script type="application/json" id="first-view">(.*?)</script>`)

func TestWithFirstView(t *testing.T) {
	t.Parallel()
	const pages = "http://p0123.localhost:8080"
	page := func(u string) screen.View {
		return screen.View{Seq: 4, Kind: screen.Page, URL: u, Pages: pages, Reload: 2, Page: "page-abc"}
	}
	tests := []struct {
		name string
		view screen.View
	}{
		{"a package's page", page("http://a6c69.p0123.localhost:8080/webapps/lineapp/index.html?t=1&u=op")},
		{"a quote and a script end in the page's address", page(`http://a6c69.p0123.localhost:8080/x.html?q="></script><script>`)},
		{"loading, its message a script end", screen.View{Seq: 1, Kind: screen.Loading, Message: "</script><script>alert(1)</script>", Pages: pages}},
		{"the provider's page (navigate)", screen.View{Seq: 2, Kind: screen.Navigate, URL: "http://127.0.0.1:5556/auth", Pages: pages}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(withFirstView([]byte(testIndex), tt.view))
			// The view, whole, and nothing in it ends its script element.
			m := reFirstView.FindStringSubmatch(got)
			if m == nil || strings.Count(got, "</script>") != 1 {
				t.Fatalf("no single first-view element in %s", got)
			}
			var v screen.View
			if err := json.Unmarshal([]byte(m[1]), &v); err != nil || v.Seq != tt.view.Seq || v.Kind != tt.view.Kind ||
				v.URL != tt.view.URL || v.Message != tt.view.Message || v.Page != tt.view.Page {
				t.Errorf("first view %s (%v), want %+v", m[1], err, tt.view)
			}
			// The rest of the index is as it was: the frame is the chrome's to load.
			if rest := reFirstView.ReplaceAllString(got, `<script type="application/json" id="first-view"></script>`); rest != testIndex {
				t.Errorf("the index around the view changed: %s", rest)
			}
		})
	}
	t.Run("an index without the mark is served as it is", func(t *testing.T) {
		t.Parallel()
		plain := `<body><iframe id="content"></iframe></body>`
		if got := string(withFirstView([]byte(plain), page("http://a6c69.p0123.localhost:8080/x.html"))); got != plain {
			t.Errorf("got %s", got)
		}
	})
}

// Both transports serve index.html with the view shown when it is asked
// for: the browser mode at / and any unknown path (a reload anywhere), the
// window through WithIndex before Wails' own assets; other files as they
// are.
func TestIndexCarriesTheViewShownNow(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"index.html": {Data: []byte(testIndex)}, "assets/app.js": {Data: []byte("js")}}
	scr := screen.New("1.0", "http://p1.localhost:7", nil, nil)
	scr.ShowLoading("Signing in…")
	window := WithIndex(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("wails")) }), fsys, scr)
	browser := assets(fsys, Index(fsys, scr))
	for _, tt := range []struct {
		name    string
		handler http.Handler
		path    string
		want    string
	}{
		{"window /", window, "/", "Signing in…"},
		{"window /index.html", window, "/index.html", "Signing in…"},
		{"window, another file", window, "/assets/app.js", "wails"},
		{"browser /", browser, "/", "Signing in…"},
		{"browser, an unknown path", browser, "/somewhere/else", "Signing in…"},
		{"browser, a file", browser, "/assets/app.js", "js"},
	} {
		rec := httptest.NewRecorder()
		tt.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d %s, want %q", tt.name, rec.Code, rec.Body, tt.want)
		}
		if tt.want != "Signing in…" {
			continue
		}
		if ct, cc := rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"); !strings.HasPrefix(ct, "text/html") || cc != "no-store" {
			t.Errorf("%s: Content-Type %q, Cache-Control %q", tt.name, ct, cc)
		}
	}
}

// index.html carries the view shown, the page's name in it: the browser
// mode's guard lets the chrome's built files through without the key, and
// neither a missing one nor a path that cleans to another is answered with
// the index.
func TestTheIndexNeedsTheKey(t *testing.T) {
	t.Parallel()
	const key, hostport = "0123456789abcdef0123456789abcdef", "127.0.0.1:8123"
	fsys := fstest.MapFS{"index.html": {Data: []byte(testIndex)}, "assets/app.js": {Data: []byte("js")}}
	scr := screen.New("1.0", "http://p1.localhost:8123", nil, nil)
	scr.ShowPage("/webapps/lineapp/index.html", "Line")
	h := Guard(key, hostport, assets(fsys, Index(fsys, scr)))
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"/assets/app.js", 200},
		{"/assets/missing.js", 404},
		{"/assets/../index.html", 401},
		{"/assets/..", 401},
		{"/", 401},
		{"/?key=" + key, 200},
	} {
		r := httptest.NewRequest(http.MethodGet, tt.target, nil)
		r.Host = hostport
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		leaked := strings.Contains(w.Body.String(), scr.Current().Page)
		if w.Code != tt.want || (tt.want != 200 || tt.target != "/?key="+key) && leaked {
			t.Errorf("GET %s: %d (the page's name in it: %v), want %d and no view", tt.target, w.Code, leaked, tt.want)
		}
	}
}
