package pmapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"loginshell/internal/pmapi"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/signature"
)

// Every call reaches the services through the pages' origin, which names
// the calling package (pmapi.FromPackage). A signature service that finds
// no package refuses the call (403) instead of taking it for the plant's,
// which would see and cancel every package's requests; with its package
// each sees only its own (here: another package's request is unknown).
func TestSignatureServicesRefuseACallWithoutItsPackage(t *testing.T) {
	t.Parallel()
	sh := shelltest.New(t, shelltest.Options{})
	ctx := context.Background()
	if err := sh.Signatures.PutTemplate(ctx, signature.Template{Name: "Line Release Approval", Expression: "{role:Operator}",
		IDP: signature.IDPLocal, Meaning: "Approval"}); err != nil {
		t.Fatal(err)
	}
	ids, err := sh.Signatures.Queue(ctx, signature.Queuing{Template: "Line Release Approval", Name: "Release line", Owner: "hostile"})
	if err != nil {
		t.Fatal(err)
	}
	api, err := pmapi.New(pmapi.Options{Auth: sh.Auth, Users: sh.Users, Settings: sh.Settings,
		Connectivity: func(context.Context) []string { return []string{"Online"} }, Boot: sh.Boot, Windows: sh.Boot,
		Signatures: sh.Signatures, Session: sh.Screen.Session})
	if err != nil {
		t.Fatal(err)
	}
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	other := "/pmapi/signature/requests/" + ids[0].String()
	tests := []struct {
		method, path, body string
		withPackage        int // the status with the line app as the caller
	}{
		{"GET", "/pmapi/signature/requests", "", http.StatusOK},
		{"GET", other, "", http.StatusNotFound},
		{"DELETE", other, "", http.StatusNotFound},
		{"POST", "/pmapi/signature/requests", `{"template":"Line Release Approval","requestName":"x"}`, http.StatusOK},
		{"POST", "/pmapi/signature/trigger", `{"uuid":"` + ids[0].String() + `","session":"` + sh.Screen.Session() +
			`","page":"` + sh.Screen.Current().Page + `","approve":true}`, http.StatusOK}, // any page may trigger a UUID it was given
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			call := func(pkg *pmapi.Caller) *httptest.ResponseRecorder {
				r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
				r.Header.Set("Content-Type", "application/json")
				if pkg != nil {
					r = pmapi.FromPackage(r, pkg)
				}
				w := httptest.NewRecorder()
				api.ServeHTTP(w, r)
				return w
			}
			w := call(nil)
			var e struct{ Error string }
			_ = json.Unmarshal(w.Body.Bytes(), &e)
			if w.Code != http.StatusForbidden || !strings.Contains(e.Error, "a package's pages only") {
				t.Errorf("without a package: %d %s; want 403, the call refused (not served as the plant's)", w.Code, w.Body)
			}
			if w := call(pmapi.NewCaller("lineapp")); w.Code != tt.withPackage {
				t.Errorf("from the line app: %d %s; want %d", w.Code, w.Body, tt.withPackage)
			}
		})
	}
	// The event stream refuses before it streams (a stream served would
	// end with the request's context).
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	w := httptest.NewRecorder()
	api.ServeHTTP(w, httptest.NewRequestWithContext(sctx, "GET", "/pmapi/signature/events", nil))
	if w.Code != http.StatusForbidden {
		t.Errorf("GET /pmapi/signature/events without a package: %d %s; want 403", w.Code, w.Body)
	}
	if req, err := sh.Signatures.Request(ctx, ids[0], signature.Plant); err != nil || req.State != signature.Pending {
		t.Errorf("the other package's request: %v, %v; want it still pending (no call may have cancelled it)", req.State, err)
	}
}
