package signature_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"loginshell/internal/demoidp"
	"loginshell/internal/keychain"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/store/sqlite"
	"loginshell/internal/user"
)

// Issue 21.9: {group:X} compares the signer's groups, which are the
// provider's groups claim and never its roles. ann is in the group
// "Line 4" and has the role Operator; rolf has a role named "Line 4" and
// is in the group "Line 7": only ann may sign {group:Line 4}.
var (
	ann  = demoidp.User{Username: "ann", Password: "ann-demo-1", Name: "Ann Example", Roles: []string{"Operator"}, Groups: []string{"Line 4"}}
	rolf = demoidp.User{Username: "rolf", Password: "rolf-demo-1", Name: "Rolf Example", Roles: []string{"Line 4"}, Groups: []string{"Line 7"}}
)

var lineGroup = signature.Template{Name: "Line 4 release", Expression: "{group:Line 4}", IDP: "openid", Meaning: "Approval"}

// TestGroupAtTheProvider signs {group:Line 4} at a real OpenID provider on
// loopback that sends both a roles and a groups claim.
func TestGroupAtTheProvider(t *testing.T) {
	t.Parallel()
	idp, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: "loginshell", Users: []demoidp.User{ann, rolf}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	st, err := settings.Open("")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Set(settings.LoginURL, idp.Issuer()); err != nil {
		t.Fatal(err)
	}
	provider, err := online.NewProvider(online.ProviderOptions{Settings: st, HTTPClient: &http.Client{Timeout: 10 * time.Second},
		Now: time.Now, Log: slog.New(slog.DiscardHandler), DefaultClientID: "loginshell",
		Open: func(context.Context, string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	scr := screen.New("test", "http://p.localhost:1", nil, nil)
	scr.ShowPage("/webapps/lineapp/index.html", "Line")
	nobody, err := demoidp.NewIdentity(nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := signature.New(signature.Options{Store: db, Poster: scr, Now: time.Now, Station: "a",
		Identities:  map[string]signature.Identity{"local": nobody},
		Interactive: map[string]signature.Interactive{"openid": provider}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.PutTemplate(ctx, lineGroup); err != nil {
		t.Fatal(err)
	}
	out, stop := eng.Subscribe(scr.Session())
	defer stop()

	for _, tt := range []struct {
		name        string
		groupsClaim string // the setting groups_claim
		signer      demoidp.User
		want        string
	}{
		{"a person with a role named like the group is refused", "", rolf, signature.OutcomeError},
		{"a person in the group signs", "", ann, signature.OutcomeApprove},
		// The setting is read: naming the roles claim as the groups claim
		// turns rolf's role into a group (what a plant would do only for
		// a provider that sends its groups as "roles").
		{"groups_claim names the claim the groups come from", "roles", rolf, signature.OutcomeApprove},
	} {
		if err := st.Set(settings.GroupsClaim, tt.groupsClaim); err != nil {
			t.Fatal(err)
		}
		ids, err := eng.Queue(ctx, signature.Queuing{Template: lineGroup.Name, Name: tt.name, Session: scr.Session()})
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Trigger(ctx, ids[0], scr.Session(), scr.Current().Page, true, signature.Plant); err != nil {
			t.Fatalf("%s: Trigger = %v", tt.name, err)
		}
		c := scr.Current().Challenge
		if c == nil || c.URL == "" {
			t.Fatalf("%s: the dialog shows %+v, want the provider's page", tt.name, c)
		}
		if err := signAtProvider(ctx, c.URL, tt.signer.Username, tt.signer.Password); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		select {
		case o := <-out:
			if o.Kind != tt.want {
				t.Errorf("%s: outcome %+v, want %s", tt.name, o, tt.want)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: no outcome", tt.name)
		}
		if tt.want == signature.OutcomeApprove {
			r, err := eng.Request(ctx, ids[0], signature.Plant)
			if err != nil {
				t.Fatal(err)
			}
			if s := r.Slots[0].Signature; s == nil || s.Signer.UserID != tt.signer.Username {
				t.Errorf("%s: the slot's signature %+v", tt.name, s)
			}
		}
	}
	if r, err := eng.Pending(ctx, signature.Filter{}); err != nil || len(r) != 1 || r[0].Name != "a person with a role named like the group is refused" {
		t.Errorf("pending after the three: %+v, %v; want only rolf's refused one", r, err)
	}
}

// TestGroupOffline signs {group:Line 4} with the offline password: the
// vault's profile keeps the groups the provider sent, apart from the
// roles.
func TestGroupOffline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kc, err := keychain.Open(keychain.Options{Dir: filepath.Join(dir, "keychain"), Now: time.Now, Log: slog.New(slog.DiscardHandler),
		Params: keychain.Params{Time: 1, MemoryKiB: 64, Threads: 1}, InsecureAllowWeakParams: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []demoidp.User{ann, rolf} {
		if err := kc.Create(u.Username, u.Password, user.Profile{Username: u.Username, Name: u.Name, Roles: u.Roles, Groups: u.Groups}); err != nil {
			t.Fatal(err)
		}
	}
	local := signature.KeychainIdentity{Vault: kc}
	if s, err := local.Verify("ann", ann.Password); err != nil || len(s.Groups) != 1 || s.Groups[0] != "Line 4" || s.Roles[0] != "Operator" {
		t.Fatalf("Verify(ann) = %+v, %v; want role Operator, group Line 4", s, err)
	}
	st, err := sqlite.Open(filepath.Join(dir, "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	scr := screen.New("test", "http://p.localhost:1", nil, nil)
	scr.ShowPage("/webapps/lineapp/index.html", "Line")
	eng, err := signature.New(signature.Options{Store: st, Identities: map[string]signature.Identity{"local": local}, Poster: scr,
		Now: time.Now, Station: "a"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	offline := lineGroup
	offline.IDP = signature.IDPLocal
	if err := eng.PutTemplate(ctx, offline); err != nil {
		t.Fatal(err)
	}
	ids, err := eng.Queue(ctx, signature.Queuing{Template: offline.Name, Name: "Release line 4", Session: scr.Session()})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Trigger(ctx, ids[0], scr.Session(), scr.Current().Page, true, signature.Plant); err != nil {
		t.Fatal(err)
	}
	// A refused signer leaves the dialog up for another try.
	c := scr.Current().Challenge
	if o, err := eng.Answer(ctx, c.ID, rolf.Username, rolf.Password, ""); err == nil || o.Kind != signature.OutcomeError {
		t.Errorf("rolf (role Line 4, group Line 7) = %+v, %v; want refused", o, err)
	}
	if o, err := eng.Answer(ctx, c.ID, ann.Username, ann.Password, ""); err != nil || o.Kind != signature.OutcomeApprove {
		t.Errorf("ann (group Line 4) = %+v, %v; want approved", o, err)
	}
}
