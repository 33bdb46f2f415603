package manifest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseManifest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		doc     string
		want    WebApp
		wantErr error
		wantMsg string
	}{
		{
			name: "a full manifest parses",
			doc:  `{"name":"offline-login","version":"1.0.0","main":"login.html","setup":"setup.html","manage":"manage.html"}`,
			want: WebApp{Name: "offline-login", Version: "1.0.0", Main: "login.html", Setup: "setup.html", Manage: "manage.html"},
		},
		{
			name: "update is accepted as an alias of manage",
			doc:  `{"name":"ol","version":"1","main":"a.html","update":"pages/manage.html"}`,
			want: WebApp{Name: "ol", Version: "1", Main: "a.html", Manage: "pages/manage.html"},
		},
		{
			name: "a leading ./ is dropped",
			doc:  `{"name":"ol","version":"1","main":"./www/index.html"}`,
			want: WebApp{Name: "ol", Version: "1", Main: "www/index.html"},
		},
		{
			name:    "disagreeing manage and update are refused",
			doc:     `{"name":"ol","version":"1","main":"a.html","manage":"m.html","update":"u.html"}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"update" is an alias of "manage"`,
		},
		{name: "a missing name is named", doc: `{"version":"1","main":"a.html"}`, wantErr: ErrInvalidDocument, wantMsg: `webapp.json: "name" is missing`},
		{name: "a missing version is named", doc: `{"name":"a","main":"a.html"}`, wantErr: ErrInvalidDocument, wantMsg: `"version" is missing`},
		{name: "a missing main is named", doc: `{"name":"a","version":"1"}`, wantErr: ErrInvalidDocument, wantMsg: `"main" is missing`},
		{name: "a name with a slash is refused", doc: `{"name":"a/b","version":"1","main":"a.html"}`, wantErr: ErrInvalidDocument, wantMsg: `"name" must be a plain name`},
		{name: "a version with dots only is refused", doc: `{"name":"a","version":"..","main":"a.html"}`, wantErr: ErrInvalidDocument, wantMsg: `"version" must be a plain name`},
		{name: "a main that climbs out is refused", doc: `{"name":"a","version":"1","main":"../x.html"}`, wantErr: ErrInvalidDocument, wantMsg: `"main" must name a file inside the package`},
		{name: "a main that climbs out midway is refused", doc: `{"name":"a","version":"1","main":"www/../../x.html"}`, wantErr: ErrInvalidDocument, wantMsg: `"main" must name a file inside`},
		{name: "an absolute setup is refused", doc: `{"name":"a","version":"1","main":"a.html","setup":"/etc/passwd"}`, wantErr: ErrInvalidDocument, wantMsg: `"setup" must be a path relative`},
		{name: "a drive letter is refused", doc: `{"name":"a","version":"1","main":"C:/x.html"}`, wantErr: ErrInvalidDocument, wantMsg: `"main" must be a path relative`},
		{name: "a URL is refused", doc: `{"name":"a","version":"1","main":"http://evil/x.html"}`, wantErr: ErrInvalidDocument, wantMsg: `"main" must be a path relative`},
		{name: "a backslash is refused", doc: `{"name":"a","version":"1","main":"a.html","update":"..\\m.html"}`, wantErr: ErrInvalidDocument, wantMsg: `"manage" must use forward slashes`},
		{name: "a directory main is refused", doc: `{"name":"a","version":"1","main":"www/"}`, wantErr: ErrInvalidDocument, wantMsg: `"main" must name a file`},
		{name: "a main of the wrong type is named", doc: `{"name":"a","version":"1","main":["a.html"]}`, wantErr: ErrInvalidDocument, wantMsg: `"main" must be a string`},
		{name: "bad JSON is reported as such", doc: `{"name":"a",}`, wantErr: ErrInvalidDocument, wantMsg: "webapp.json: is not valid JSON at line 1, column 13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWebApp([]byte(tt.doc))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseWebApp() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not contain %q", err, tt.wantMsg)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseWebApp() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestManifestPages(t *testing.T) {
	t.Parallel()
	m := WebApp{Main: "a.html", Manage: "m.html"}
	if got, want := m.Pages(), []string{"a.html", "m.html"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Pages() = %v, want %v", got, want)
	}
}

func TestDisplayName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, json, want string }{
		{"the title when there is one", `{"name":"lineapp","version":"1","main":"a.html","title":"Line 4 — Release station"}`, "Line 4 — Release station"},
		{"the name made readable without one", `{"name":"line-app","version":"1","main":"a.html"}`, "Line app"},
		{"the name made readable for a blank title", `{"name":"qa_tool","version":"1","main":"a.html","title":"  "}`, "Qa tool"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseWebApp([]byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			if got := m.DisplayName(); got != c.want {
				t.Errorf("DisplayName() = %q, want %q", got, c.want)
			}
		})
	}
}

// TestJSONErrorsSayWhere: a webapp.json that is not JSON is reported with
// the line and column an editor shows (issue 23).
func TestJSONErrorsSayWhere(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, doc, want string
	}{
		{"a missing comma", "{\"name\": \"x\",\n \"version\": \"1.0\"\n \"main\": \"index.html\"}", "line 3, column 2"},
		{"a stray brace on line 1", "{\"name\": \"x\"}}", "line 1, column 14"},
		{"after a comment", "// the app\n{\"name\": \"x\", \"version\": 1.0.0}", "line 2, column 29"},
	} {
		_, err := ParseWebApp([]byte(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want it to say %q", tt.name, err, tt.want)
		}
	}
}
