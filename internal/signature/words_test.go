package signature_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"loginshell/internal/demoidp"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

func TestClauseWords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, clause, want string }{
		{"a role is a person of that role", "{role:Operator}", "an operator"},
		{"a role of several words is lowered word by word", "{role:Line Supervisor (night)}", "a line supervisor (night)"},
		{"an acronym keeps its case", "{role:QA}", "a QA"},
		{"a user is named", "{userName:bob}", "bob"},
		{"a group is its members", "{group:Line 1}", "a member of Line 1"},
		{"OR is or", "{role:Supervisor} OR {userName:bob}", "a supervisor or bob"},
		{"AND inside one slot is and, nesting in parentheses", "({role:QA} AND ({group:Line 1} OR {role:Lead}))", "a QA and (a member of Line 1 or a lead)"},
		{"text that is no clause is returned as it is", "{role:", "{role:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := signature.ClauseWords(tt.clause); got != tt.want {
				t.Errorf("ClauseWords(%q) = %q, want %q", tt.clause, got, tt.want)
			}
		})
	}
}

// TestWhoWordsNamesPeople: a clause that gives a slot to one person names
// them by their printed name where the identity knows it (the demo's
// users), by their user ID where it does not.
func TestWhoWordsNamesPeople(t *testing.T) {
	t.Parallel()
	demo, err := demoidp.NewIdentity(demoidp.DemoUsers(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var _ signature.Namer = demo
	for _, tt := range []struct{ name, clause, want string }{
		{"a known user by name", "{userName:supervisor}", "Sam Supervisor"},
		{"the user ID's case does not matter", "{userName:Supervisor}", "Sam Supervisor"},
		{"an unknown user by user ID", "{userName:bob}", "bob"},
		{"a person or a role", "{userName:qa} OR {role:Supervisor}", "Quinn QA or a supervisor"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := signature.WhoWords(tt.clause, demo.PrintedName); got != tt.want {
				t.Errorf("WhoWords(%q) = %q, want %q", tt.clause, got, tt.want)
			}
		})
	}
}

// TestChallengeSaysWhereItStands: the dialog's challenge carries which
// signature it is, who may give it, the rules it is given under and the
// signatures given before, with their names and times.
func TestChallengeSaysWhereItStands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "")
	ordered := lineRelease
	ordered.Ordered = true
	if err := e.eng.PutTemplate(ctx, ordered); err != nil {
		t.Fatal(err)
	}
	ids := e.queue(t)
	if err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
		t.Fatal(err)
	}
	c := e.screen.Current().Challenge
	if c.Position != 1 || c.Slots != 2 || c.Who != "an operator" || !c.Unique || !c.Ordered || len(c.Given) != 0 {
		t.Errorf("the first challenge = %+v, want signature 1 of 2 by an operator, unique, ordered, none given", c)
	}
	before := time.Now().UTC()
	if _, err := e.eng.Answer(ctx, c.ID, "operator", "operator-pass-1", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Trigger(ctx, ids[1], e.screen.Session(), e.page, false, signature.Plant); err != nil {
		t.Fatal(err)
	}
	c = e.screen.Current().Challenge
	if c.Position != 2 || c.Slots != 2 || c.Who != "a supervisor" || len(c.Given) != 1 {
		t.Fatalf("the second challenge = %+v, want signature 2 of 2 by a supervisor, one given", c)
	}
	g := c.Given[0]
	if g.Position != 1 || g.PrintedName != "Operator Example" || g.UserID != "operator" || !g.Approve || g.SignedAt.Before(before.Add(-time.Second)) {
		t.Errorf("given = %+v, want signature 1 approved by Operator Example just now", g)
	}
}

// TestRefusalsSayWhoAndWhy: a refused signature names the person and the
// rule in words (issue 22.1), never clause syntax or slot UUIDs; the
// template's identity provider out of reach says what it needs.
func TestRefusalsSayWhoAndWhy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		clauses string
		first   string // who signs the first slot before, "" for nobody
		signer  string
		slot    int
		wantErr error
		want    string
	}{
		{name: "a person without the role", clauses: "{role:Operator} AND {role:Supervisor}", signer: "operator", slot: 1,
			wantErr: signature.ErrNotEntitled, want: "Operator Example may not give signature 2 of 2; it must be given by a supervisor."},
		{name: "a person the slot does not name", clauses: "{role:Operator} AND {userName:qa}", signer: "supervisor", slot: 1,
			wantErr: signature.ErrNotEntitled, want: "Supervisor Example may not give signature 2 of 2; it must be given by qa."},
		{name: "the same person twice, a slot of one role", clauses: "{role:Operator} AND {role:Operator}", first: "supervisor", signer: "supervisor", slot: 1,
			wantErr: signature.ErrSameSigner, want: "Supervisor Example already signed signature 1; a different operator must sign."},
		{name: "the supervisor who gave the operator's signature", clauses: "{role:Operator} AND {role:Supervisor}", first: "supervisor", signer: "supervisor", slot: 1,
			wantErr: signature.ErrSameSigner, want: "Supervisor Example already signed signature 1; a different supervisor must sign."},
		{name: "the same person twice, a slot of several kinds", clauses: "{role:Operator} AND ({role:QA} OR {userName:operator})", first: "operator", signer: "operator", slot: 1,
			wantErr: signature.ErrSameSigner, want: "Operator Example already signed signature 1; someone other than Operator Example (a QA or operator) must sign."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			tmpl := lineRelease
			tmpl.Expression = tt.clauses
			if err := e.eng.PutTemplate(ctx, tmpl); err != nil {
				t.Fatal(err)
			}
			ids := e.queue(t)
			if tt.first != "" {
				if _, err := e.signAnyway(t, ids[0], true, tt.first, tt.first+"-pass-1", ""); err != nil {
					t.Fatal(err)
				}
			}
			_, err := e.sign(t, ids[tt.slot], true, tt.signer, tt.signer+"-pass-1", "")
			if !errors.Is(err, tt.wantErr) || fault.Text(err) != tt.want {
				t.Errorf("the dialog says %q (%v), want %q (%v)", fault.Text(err), err, tt.want, tt.wantErr)
			}
			for _, bad := range []string{"{", "slot ", ids[0].String(), "satisfy"} {
				if strings.Contains(fault.Text(err), bad) {
					t.Errorf("the text %q holds %q", fault.Text(err), bad)
				}
			}
			if e.screen.Current().Challenge == nil {
				t.Error("the dialog closed: a refused signer cannot let another person try")
			}
		})
	}
}

// TestTemplateNeedsTheLoginServer: a template whose identity provider is
// the login server's (the demo's users, in a shell started without
// --demo) says so, as the seed's UnsupportedOperationException.
func TestTemplateNeedsTheLoginServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "")
	demo := signature.Template{Name: "Line Release Approval", Expression: "{role:Operator}", IDP: signature.IDPDemo, Meaning: "Approval"}
	if err := e.eng.PutTemplate(ctx, demo); err != nil {
		t.Fatal(err)
	}
	ids, err := e.eng.Queue(ctx, signature.Queuing{Template: demo.Name, Name: "Release line", Session: e.screen.Session()})
	if err != nil {
		t.Fatal(err)
	}
	err = e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant)
	const want = `signatures with template "Line Release Approval" need the login server (identity provider "demo"), ` +
		"which this shell cannot reach now; sign when it is back, or at a station that reaches it"
	if !errors.Is(err, signature.ErrUnsupported) || fault.Text(err) != want {
		t.Errorf("Trigger = %q (%v), want %q", fault.Text(err), err, want)
	}
}
