package shell

import (
	"fmt"
	"log/slog"
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
