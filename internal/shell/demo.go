package shell

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"loginshell/internal/demoidp"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
)

// demoIDP is the template idp of the demo's signatures: the demo users and
// their listed passwords.
const demoIDP = signature.IDPDemo

// demoTemplate is the template --demo ships: the line app's release needs
// an operator and then a supervisor, two different people.
var demoTemplate = signature.Template{Name: "Line Release Approval", Description: "Release a production line after a batch.",
	Expression: "{role:Operator} AND {role:Supervisor}", IDP: demoIDP, Framing: signature.FramingEmbedded, Timeout: 2,
	ForceUniqueUser: true, Meaning: "Approval: I approve the release of this line."}

// demoIdentity verifies the demo users' listed passwords, locking a user
// out in memory as the keychain does on disk.
func demoIdentity() (signature.Identity, error) {
	return demoidp.NewIdentity(demoidp.DemoUsers(), time.Now)
}

// startDemo runs the demo identity provider on loopback and points the
// settings at it; the note tells a person where it runs and which users it
// knows (demo passwords are meant to be read).
func startDemo(st *settings.Store, log *slog.Logger) (*demoidp.Server, string, error) {
	idp, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: DefaultClientID, Log: log.With("component", "demoidp")})
	if err != nil {
		return nil, "", fmt.Errorf("start the demo identity provider: %w", err)
	}
	if err := st.MergeVia(map[string]any{settings.LoginURL: idp.Issuer(), settings.ClientID: idp.ClientID(), settings.Prompt: "login"}, settings.ViaDemo); err != nil {
		idp.Close()
		return nil, "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "loginshell: demo identity provider at %s; demo users:", idp.Issuer())
	for _, u := range demoidp.DemoUsers() {
		fmt.Fprintf(&b, " %s/%s (%s)", u.Username, u.Password, strings.Join(u.Roles, ", "))
	}
	return idp, b.String(), nil
}

// loadTemplates stores the templates of DIR/templates.json (a bad file is
// refused with the entry and field at fault), and with --demo the demo's,
// each only when it differs from the stored one, so a start writes nothing
// to the audit trail for what did not change. A template of the demo's
// name in templates.json is the plant's and stands (a shorter timeout, say):
// were the demo's stored after it, every start would replace each by the
// other, two template entries in the trail for nothing that changed.
func loadTemplates(sigs *signature.Engine, path string, demo bool) error {
	var ts []signature.Template
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if ts, err = signature.ParseTemplates(data); err != nil {
			return err
		}
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("read %s: %w", path, err)
	}
	if demo && !slices.ContainsFunc(ts, func(t signature.Template) bool { return strings.EqualFold(t.Name, demoTemplate.Name) }) {
		ts = append(ts, demoTemplate)
	}
	ctx := signature.ActingAs(context.Background(), OSActor()+", "+path+" at start")
	for _, t := range ts {
		if have, err := sigs.Template(ctx, t.Name); err == nil && have == t {
			continue
		}
		if err := sigs.PutTemplate(ctx, t); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}
