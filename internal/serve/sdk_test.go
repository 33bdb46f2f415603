package serve_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"loginshell/internal/signature"
)

// triggerAuthRequest's approve is the seed's Boolean: anything but the
// JSON true or false is 400 and raises no dialog, so a page's "true" or 1
// never signs in a direction it did not say (issue 21.8).
func TestTriggerTakesOnlyABooleanApprove(t *testing.T) {
	t.Parallel()
	e := newSigEnv(t)
	pctx := e.pageContext(t)
	var q struct{ UUIDs []string }
	if code, body := call(t, e.pages.URL, "POST", "/pmapi/signature/requests",
		map[string]any{"template": "Line Release Approval", "requestName": "Release line"}, &q); code != 200 {
		t.Fatalf("queue = %d %s", code, body)
	}
	for _, tt := range []struct {
		name    string
		approve any
		omit    bool
		text    string
	}{
		{name: "approve left out", omit: true, text: "approve (true or false) is required"},
		{name: "approve null", approve: nil, text: "approve (true or false) is required"},
		{name: `approve "true"`, approve: "true", text: "approve must be true or false"},
		{name: `approve "false"`, approve: "false", text: "approve must be true or false"},
		{name: "approve 1", approve: 1, text: "approve must be true or false"},
		{name: "approve 0", approve: 0, text: "approve must be true or false"},
		{name: "approve [true]", approve: []bool{true}, text: "approve must be true or false"},
	} {
		body := map[string]any{"uuid": q.UUIDs[0], "session": pctx.Session, "page": pctx.Page}
		if !tt.omit {
			body["approve"] = tt.approve
		}
		code, text := call(t, e.pages.URL, "POST", "/pmapi/signature/trigger", body, nil)
		if code != 400 || !strings.Contains(text, tt.text) {
			t.Errorf("%s: %d %s, want 400 saying %q", tt.name, code, text, tt.text)
		}
		if c := e.sh.Screen.Current().Challenge; c != nil {
			t.Fatalf("%s: a dialog is up: %+v", tt.name, c)
		}
	}
	for _, approve := range []bool{false, true} {
		code, text := call(t, e.pages.URL, "POST", "/pmapi/signature/trigger",
			map[string]any{"uuid": q.UUIDs[0], "session": pctx.Session, "page": pctx.Page, "approve": approve}, nil)
		c := e.sh.Screen.Current().Challenge
		if code != 200 || c == nil || c.Approve != approve {
			t.Fatalf("approve %v: %d %s, dialog %+v; want it raised to approve %v", approve, code, text, c, approve)
		}
		if err := e.sh.Signatures.Dismiss(context.Background(), c.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// GET /pmapi/signature/requests/{uuid} (getAuthRequest): a page that
// reloaded reads its request by the request's UUID or any slot's, while
// pending and once settled, signatures included; another package's page
// gets the 404 an unknown UUID gets (issue 21.8).
func TestGetAuthRequest(t *testing.T) {
	t.Parallel()
	e := newSigEnv(t)
	hostile := e.origin(t, "hostile")
	pctx := e.pageContext(t)
	var q struct{ UUIDs []string }
	if code, body := call(t, e.pages.URL, "POST", "/pmapi/signature/requests",
		map[string]any{"template": "Line Release Approval", "requestName": "Release line", "description": "Batch 4711"}, &q); code != 200 {
		t.Fatalf("queue = %d %s", code, body)
	}
	get := func(base, id string) (signature.Request, int, string) {
		t.Helper()
		var r signature.Request
		code, body := call(t, base, "GET", "/pmapi/signature/requests/"+id, nil, &r)
		return r, code, body
	}
	bySlot, code, body := get(e.pages.URL, q.UUIDs[1])
	if code != 200 || bySlot.State != signature.Pending || bySlot.Name != "Release line" || bySlot.Description != "Batch 4711" ||
		len(bySlot.Slots) != 2 || bySlot.Slots[1].ID.String() != q.UUIDs[1] || bySlot.Owner != "lineapp" {
		t.Fatalf("GET by a slot's UUID = %d %s", code, body)
	}
	requestID := bySlot.ID.String()

	sign := func(slot, userID string) {
		t.Helper()
		if code, body := call(t, e.pages.URL, "POST", "/pmapi/signature/trigger",
			map[string]any{"uuid": slot, "session": pctx.Session, "page": pctx.Page, "approve": true}, nil); code != 200 {
			t.Fatalf("trigger = %d %s", code, body)
		}
		c := e.sh.Screen.Current().Challenge
		if code, body := call(t, e.chrome.URL, "POST", "/shell/challenge/"+c.ID,
			map[string]string{"userId": userID, "password": userID + "-pass-1", "comment": "by " + userID}, nil); code != 200 || !strings.Contains(body, `"ok":true`) {
			t.Fatalf("%s signs = %d %s", userID, code, body)
		}
	}
	sign(q.UUIDs[0], "operator")
	sign(q.UUIDs[1], "supervisor")

	for _, id := range []string{requestID, q.UUIDs[0], strings.ToUpper(q.UUIDs[1])} {
		r, code, body := get(e.pages.URL, id)
		if code != 200 || r.ID.String() != requestID || r.State != signature.Approved {
			t.Fatalf("GET %s once approved = %d %s", id, code, body)
		}
		for i, who := range []string{"operator", "supervisor"} {
			s := r.Slots[i].Signature
			if r.Slots[i].State != signature.Approved || s == nil || s.Signer.UserID != who || s.Comment != "by "+who || s.SignedAt.IsZero() {
				t.Errorf("GET %s: slot %d = %+v, want signed by %s", id, i, r.Slots[i], who)
			}
		}
	}

	unknown := uuid.NewString()
	_, code, unknownBody := get(e.pages.URL, unknown)
	if code != 404 || !strings.Contains(unknownBody, "No authorization request with UUID "+unknown) {
		t.Fatalf("GET an unknown UUID = %d %s, want 404 naming it", code, unknownBody)
	}
	for _, id := range []string{requestID, q.UUIDs[0]} {
		_, code, body := get(hostile, id)
		if want := strings.ReplaceAll(unknownBody, unknown, id); code != 404 || body != want {
			t.Errorf("GET %s from another package = %d %s, want exactly an unknown UUID's %s", id, code, body, want)
		}
	}
	if _, code, body := get(e.pages.URL, "not-a-uuid"); code != 400 || !strings.Contains(body, "not a valid UUID") {
		t.Errorf("GET not-a-uuid = %d %s, want 400", code, body)
	}
}
