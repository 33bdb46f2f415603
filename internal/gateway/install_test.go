package gateway

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"loginshell/internal/check"
	"loginshell/internal/install"
	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
	"loginshell/internal/screen"
)

// zipInstaller installs zips with pkginstall.Install into dir; with started
// and gate set, it says so and waits until gate closes.
type zipInstaller struct {
	dir     string
	started chan struct{}
	gate    chan struct{}
	ask     bool // want a yes (replace) before installing
}

func (z *zipInstaller) Install(path string, progress func(done, total int64), replace bool) (manifest.WebApp, error) {
	if z.ask && !replace {
		return manifest.WebApp{}, &pkginstall.ReplaceError{Name: "lineapp", New: "1.2.0", Old: "1.0.0"}
	}
	if z.gate != nil {
		close(z.started)
		<-z.gate
	}
	f, err := os.Open(path)
	if err != nil {
		return manifest.WebApp{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return manifest.WebApp{}, err
	}
	return pkginstall.Install(z.dir, f, st.Size(), pkginstall.Options{Progress: progress})
}

func zipBytes(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func goodPackage(t *testing.T) []byte {
	return zipBytes(t, "webapp.json", `{"name":"lineapp","version":"1.2.0","main":"index.html"}`, "index.html", "<p>hi</p>")
}

func evilPackage(t *testing.T) []byte {
	return zipBytes(t, "webapp.json", `{"name":"x","version":"1","main":"index.html"}`, "index.html", "<p>", "../evil.html", "<p>")
}

// installFixture is a gateway with an install service over inst.
func installFixture(t *testing.T, inst *zipInstaller) http.Handler {
	t.Helper()
	dir := t.TempDir()
	inst.dir = filepath.Join(dir, "webapps")
	svc, err := install.New(install.Options{Installer: inst, Dir: dir, Permit: func() error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(Options{Screen: screen.New("1", "", nil, nil), Retry: func() {},
		Cancel: func() error { return nil }, Install: svc})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func post(h http.Handler, contentType string, body []byte) (int, install.Result) {
	return postTo(h, "/shell/install", contentType, body)
}

func postTo(h http.Handler, target, contentType string, body []byte) (int, install.Result) {
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var r install.Result
	_ = json.Unmarshal(w.Body.Bytes(), &r)
	return w.Code, r
}

func TestInstallEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		contentType string
		body        func(t *testing.T) []byte
		wantStatus  int
		wantOK      bool
		wantRule    string
	}{
		{"a good zip installs", "application/zip", goodPackage, http.StatusOK, true, ""},
		{"raw bytes are accepted too", "application/octet-stream", goodPackage, http.StatusOK, true, ""},
		{"a path escape is refused with check's problems", "application/zip", evilPackage, http.StatusUnprocessableEntity, false, pkginstall.RulePathEscape},
		{"a form post is refused", "multipart/form-data; boundary=x", goodPackage, http.StatusUnsupportedMediaType, false, ""},
		{"a body without a type is refused", "", goodPackage, http.StatusUnsupportedMediaType, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := installFixture(t, &zipInstaller{})
			body := tt.body(t)
			status, r := post(h, tt.contentType, body)
			if status != tt.wantStatus || r.OK != tt.wantOK || r.Message == "" {
				t.Fatalf("status %d, result %+v; want %d ok=%v", status, r, tt.wantStatus, tt.wantOK)
			}
			if tt.wantOK && (r.Name != "lineapp" || r.Version != "1.2.0") {
				t.Errorf("result = %+v, want lineapp 1.2.0", r)
			}
			if tt.wantRule != "" {
				p := filepath.Join(t.TempDir(), "pkg.zip")
				if err := os.WriteFile(p, body, 0o600); err != nil {
					t.Fatal(err)
				}
				if want := check.Check(p, check.Options{}).Problems; !reflect.DeepEqual(r.Problems, want) {
					t.Errorf("problems = %+v, want check's %+v", r.Problems, want)
				}
				if len(r.Problems) == 0 || r.Problems[0].Rule != tt.wantRule {
					t.Errorf("problems = %+v, want %s first", r.Problems, tt.wantRule)
				}
			}
		})
	}
}

func TestInstallEndpointAbsentWithoutService(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	if w := f.do(http.MethodPost, "/shell/install"); w.Code != http.StatusNotFound {
		t.Errorf("POST /shell/install without a service = %d, want 404", w.Code)
	}
}

func TestInstallEndpointRefusesASecond(t *testing.T) {
	t.Parallel()
	inst := &zipInstaller{started: make(chan struct{}), gate: make(chan struct{})}
	h := installFixture(t, inst)
	first := make(chan int, 1)
	body := goodPackage(t)
	go func() { status, _ := post(h, "application/zip", body); first <- status }()
	<-inst.started
	status, r := post(h, "application/zip", goodPackage(t))
	if status != http.StatusConflict || r.Phase != install.PhaseRefused || !strings.Contains(r.Message, "wait") {
		t.Errorf("second upload: %d %+v, want 409 refused", status, r)
	}
	close(inst.gate)
	if s := <-first; s != http.StatusOK {
		t.Errorf("first upload = %d, want 200", s)
	}
}

// The event stream carries the install's progress and result next to the
// views.
func TestEventsStreamInstalls(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(installFixture(t, &zipInstaller{}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/shell/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	// The first event is the current view: the stream is subscribed.
	if line, err := rd.ReadString('\n'); err != nil || line != "event: view\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	answer, err := srv.Client().Post(srv.URL+"/shell/install", "application/zip", bytes.NewReader(goodPackage(t)))
	if err != nil {
		t.Fatal(err)
	}
	answer.Body.Close()
	var event string
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("read event: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, "event: ") {
			event = strings.TrimPrefix(line, "event: ")
			continue
		}
		if !strings.HasPrefix(line, "data: ") || event != "install" {
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e); err != nil {
			t.Fatal(err)
		}
		switch e["phase"] {
		case install.PhaseInstalling:
			if _, ok := e["done"].(float64); !ok {
				t.Errorf("progress event %v lacks done", e)
			}
		case install.PhaseDone:
			if e["ok"] != true || e["name"] != "lineapp" || e["version"] != "1.2.0" {
				t.Errorf("result event %v, want lineapp 1.2.0 installed", e)
			}
			return
		default:
			t.Fatalf("install event %v has an unknown phase", e)
		}
	}
}

// A package that replaces one the shell has answers 409 with the question;
// the same upload with ?replace=1 installs it.
func TestInstallEndpointAsksBeforeReplacing(t *testing.T) {
	t.Parallel()
	h := installFixture(t, &zipInstaller{ask: true})
	body := goodPackage(t)
	status, r := post(h, "application/zip", body)
	if status != http.StatusConflict || r.Phase != install.PhaseConfirm || r.Replaces != "1.0.0" || r.Version != "1.2.0" {
		t.Fatalf("first upload: %d %+v, want 409 and the question", status, r)
	}
	status, r = postTo(h, "/shell/install?replace=1", "application/zip", body)
	if status != http.StatusOK || !r.OK {
		t.Fatalf("upload with ?replace=1: %d %+v, want installed", status, r)
	}
}
