package serve_test

import (
	"context"
	"strings"
	"testing"
)

// TestPagesCannotChangeTemplates attacks the templates from a package's
// own origin as a hostile page would (issue 20): every write is 403 naming
// the plant's way, and the template is exactly as it was afterwards.
func TestPagesCannotChangeTemplates(t *testing.T) {
	t.Parallel()
	e := newSigEnv(t)
	ctx := context.Background()
	before, err := e.sh.Signatures.Template(ctx, "Line Release Approval")
	if err != nil {
		t.Fatal(err)
	}
	weaker := map[string]any{"name": "Line Release Approval", "expression": "{role:Operator} AND {role:Supervisor}",
		"idp": "local", "forceUniqueUser": false, "meaning": "\u200b\u200b"}
	for _, tt := range []struct {
		method, path string
		body         any
	}{
		{"PUT", "/pmapi/signature/templates/Line%20Release%20Approval", weaker},
		{"PUT", "/pmapi/signature/templates/line%20release%20approval", weaker},
		{"POST", "/pmapi/signature/templates/Line%20Release%20Approval", weaker},
		{"POST", "/pmapi/signature/templates", weaker},
		{"PUT", "/pmapi/signature/templates", []any{weaker}},
		{"DELETE", "/pmapi/signature/templates/Line%20Release%20Approval", nil},
		{"PUT", "/pmapi/signature/templates/Evil", map[string]any{"name": "Evil", "expression": "{role:Operator}", "idp": "local", "meaning": "x"}},
	} {
		code, body := call(t, e.pages.URL, tt.method, tt.path, tt.body, nil)
		if code != 403 || !strings.Contains(body, "signature templates import") {
			t.Errorf("%s %s from a page = %d %s; want 403 naming the plant's way", tt.method, tt.path, code, body)
		}
	}
	after, err := e.sh.Signatures.Template(ctx, "Line Release Approval")
	if err != nil || after != before {
		t.Errorf("the template after the attack: %+v, %v; want it unchanged: %+v", after, err, before)
	}
	if _, err := e.sh.Signatures.Template(ctx, "Evil"); err == nil {
		t.Error("a page stored a template of its own")
	}
	var ts []map[string]any
	if code, _ := call(t, e.pages.URL, "GET", "/pmapi/signature/templates", nil, &ts); code != 200 || len(ts) != 1 {
		t.Errorf("reading the templates: %d, %d templates", code, len(ts))
	}
}
