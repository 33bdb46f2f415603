package arch_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"loginshell/app"
	"loginshell/internal/atomicfile"
	"loginshell/internal/audit"
	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/configure"
	"loginshell/internal/demoidp"
	"loginshell/internal/fault"
	"loginshell/internal/filelock"
	"loginshell/internal/install"
	"loginshell/internal/keychain"
	"loginshell/internal/loginurl"
	"loginshell/internal/manifest"
	"loginshell/internal/online"
	"loginshell/internal/phrase"
	"loginshell/internal/pkginstall"
	"loginshell/internal/serve"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
	"loginshell/internal/station"
	"loginshell/internal/store/postgres"
	"loginshell/internal/webapps"
)

// kinds is every exported error of the module with the kind it was given
// on purpose. TestEveryExportedErrorHasAKind finds the exported errors in
// the source, so a new one fails until it is added here with its kind.
var kinds = map[string]struct {
	err  error
	kind fault.Kind
}{
	"app.ErrNoDisplay":                {app.ErrNoDisplay, fault.Unavailable},
	"audit.ErrBroken":                 {audit.ErrBroken, fault.Invalid},
	"audit.ErrBadSignature":           {audit.ErrBadSignature, fault.Invalid},
	"audit.ErrNotExport":              {audit.ErrNotExport, fault.Invalid},
	"audit.ErrNothingSelected":        {audit.ErrNothingSelected, fault.NotFound},
	"station.ErrBadKey":               {station.ErrBadKey, fault.Invalid},
	"auth.ErrBadQuery":                {auth.ErrBadQuery, fault.BadRequest},
	"auth.ErrCancelled":               {auth.ErrCancelled, fault.Forbidden},
	"atomicfile.ErrDiskFull":          {atomicfile.ErrDiskFull, fault.Unavailable},
	"auth.ErrFailed":                  {auth.ErrFailed, fault.Forbidden},
	"auth.ErrInProgress":              {auth.ErrInProgress, fault.BadRequest},
	"auth.ErrNoOfflinePackage":        {auth.ErrNoOfflinePackage, fault.BadRequest},
	"auth.ErrNoPage":                  {auth.ErrNoPage, fault.BadRequest},
	"auth.ErrNoVault":                 {auth.ErrNoVault, fault.BadRequest},
	"auth.ErrNotAttempted":            {auth.ErrNotAttempted, fault.Forbidden},
	"auth.ErrNotConfigured":           {auth.ErrNotConfigured, fault.NotConfigured},
	"auth.ErrNotLoginServer":          {auth.ErrNotLoginServer, fault.Forbidden},
	"auth.ErrNotInProgress":           {auth.ErrNotInProgress, fault.BadRequest},
	"auth.ErrNotOnline":               {auth.ErrNotOnline, fault.BadRequest},
	"auth.ErrTokenUnknown":            {auth.ErrTokenUnknown, fault.NotFound},
	"auth.ErrVaultExists":             {auth.ErrVaultExists, fault.BadRequest},
	"demoidp.ErrWrongCredentials":     {demoidp.ErrWrongCredentials, fault.Forbidden},
	"demoidp.ErrInvalidOptions":       {demoidp.ErrInvalidOptions, fault.BadRequest},
	"signature.ErrBadRecord":          {signature.ErrBadRecord, fault.BadRequest},
	"signature.ErrBadExposure":        {signature.ErrBadExposure, fault.Invalid},
	"signature.ErrTimedOut":           {signature.ErrTimedOut, fault.Conflict},
	"signature.ErrTooManyPending":     {signature.ErrTooManyPending, fault.TooMany},
	"shell.ErrNoTrail":                {shell.ErrNoTrail, fault.NotFound},
	"shell.ErrNoPageBehind":           {shell.ErrNoPageBehind, fault.NotFound},
	"configure.ErrSignInRunning":      {configure.ErrSignInRunning, fault.Conflict},
	"configure.ErrSignInFirst":        {configure.ErrSignInFirst, fault.Forbidden},
	"configure.ErrNotPermitted":       {configure.ErrNotPermitted, fault.Forbidden},
	"boot.ErrSignedIn":                {boot.ErrSignedIn, fault.Forbidden},
	"install.ErrBusy":                 {install.ErrBusy, fault.Conflict},
	"install.ErrNotInstaller":         {install.ErrNotInstaller, fault.Forbidden},
	"install.ErrSignedOut":            {install.ErrSignedOut, fault.Forbidden},
	"install.ErrIncomplete":           {install.ErrIncomplete, fault.BadRequest},
	"install.ErrTooLarge":             {install.ErrTooLarge, fault.TooLarge},
	"keychain.ErrExists":              {keychain.ErrExists, fault.BadRequest},
	"keychain.ErrInvalidUsername":     {keychain.ErrInvalidUsername, fault.BadRequest},
	"keychain.ErrLocked":              {keychain.ErrLocked, fault.Locked},
	"keychain.ErrNoVault":             {keychain.ErrNoVault, fault.BadRequest},
	"keychain.ErrProfileMismatch":     {keychain.ErrProfileMismatch, fault.Internal},
	"keychain.ErrTampered":            {keychain.ErrTampered, fault.Forbidden},
	"keychain.ErrWeakPassword":        {keychain.ErrWeakPassword, fault.BadRequest},
	"keychain.ErrWrongPassword":       {keychain.ErrWrongPassword, fault.Forbidden},
	"loginurl.ErrInvalid":             {loginurl.ErrInvalid, fault.BadRequest},
	"manifest.ErrInvalidDocument":     {manifest.ErrInvalidDocument, fault.Invalid},
	"online.ErrCancelled":             {online.ErrCancelled, fault.Forbidden},
	"online.ErrConfig":                {online.ErrConfig, fault.NotConfigured},
	"online.ErrDenied":                {online.ErrDenied, fault.Forbidden},
	"online.ErrDiscovery":             {online.ErrDiscovery, fault.Unavailable},
	"online.ErrNonce":                 {online.ErrNonce, fault.Forbidden},
	"online.ErrNotOpenID":             {online.ErrNotOpenID, fault.Unavailable},
	"online.ErrRedirectPort":          {online.ErrRedirectPort, fault.Conflict},
	"online.ErrRequestRefused":        {online.ErrRequestRefused, fault.Forbidden},
	"online.ErrState":                 {online.ErrState, fault.Forbidden},
	"online.ErrTimeout":               {online.ErrTimeout, fault.Unavailable},
	"online.ErrTokenRejected":         {online.ErrTokenRejected, fault.Forbidden},
	"online.ErrUnreachable":           {online.ErrUnreachable, fault.Unavailable},
	"phrase.ErrChosen":                {phrase.ErrChosen, fault.Conflict},
	"phrase.ErrInvalid":               {phrase.ErrInvalid, fault.Invalid},
	"pkginstall.ErrBadPackage":        {pkginstall.ErrBadPackage, fault.Invalid},
	"pkginstall.ErrInstallBusy":       {pkginstall.ErrInstallBusy, fault.Conflict},
	"filelock.ErrBusy":                {filelock.ErrBusy, fault.Conflict},
	"pkginstall.ErrNoPackage":         {pkginstall.ErrNoPackage, fault.NotFound},
	"pkginstall.ErrReplace":           {pkginstall.ErrReplace, fault.Conflict},
	"postgres.ErrUnavailable":         {postgres.ErrUnavailable, fault.Unavailable},
	"postgres.ErrConfig":              {postgres.ErrConfig, fault.NotConfigured},
	"serve.ErrNotLoopback":            {serve.ErrNotLoopback, fault.BadRequest},
	"settings.ErrNotFound":            {settings.ErrNotFound, fault.NotFound},
	"settings.ErrInvalid":             {settings.ErrInvalid, fault.BadRequest},
	"settings.ErrTooLarge":            {settings.ErrTooLarge, fault.TooLarge},
	"signature.ErrNoChallenge":        {signature.ErrNoChallenge, fault.NotFound},
	"signature.ErrBadUUID":            {signature.ErrBadUUID, fault.BadRequest},
	"signature.ErrNotPosted":          {signature.ErrNotPosted, fault.Conflict},
	"signature.ErrUnsupported":        {signature.ErrUnsupported, fault.Unsupported},
	"signature.ErrNoTemplate":         {signature.ErrNoTemplate, fault.NotFound},
	"signature.ErrBadTemplate":        {signature.ErrBadTemplate, fault.BadRequest},
	"signature.ErrBadExpression":      {signature.ErrBadExpression, fault.BadRequest},
	"signature.ErrNoSlot":             {signature.ErrNoSlot, fault.NotFound},
	"signature.ErrNoRequest":          {signature.ErrNoRequest, fault.NotFound},
	"signature.ErrUnknownRequest":     {signature.ErrUnknownRequest, fault.NotFound},
	"signature.ErrSlotTaken":          {signature.ErrSlotTaken, fault.Conflict},
	"signature.ErrSameSigner":         {signature.ErrSameSigner, fault.Forbidden},
	"signature.ErrLeavesUnsignable":   {signature.ErrLeavesUnsignable, fault.Forbidden},
	"signature.ErrOtherSlot":          {signature.ErrOtherSlot, fault.Conflict},
	"signature.ErrUnsettled":          {signature.ErrUnsettled, fault.Conflict},
	"signature.ErrNotEntitled":        {signature.ErrNotEntitled, fault.Forbidden},
	"signature.ErrNoOpenChallenge":    {signature.ErrNoOpenChallenge, fault.NotFound},
	"signature.ErrMissingCredentials": {signature.ErrMissingCredentials, fault.BadRequest},
	"signature.ErrCommentRequired":    {signature.ErrCommentRequired, fault.BadRequest},
	"signature.ErrBadRequestName":     {signature.ErrBadRequestName, fault.BadRequest},
	"webapps.ErrBrokenPackage":        {webapps.ErrBrokenPackage, fault.Invalid},
	"webapps.ErrUnknownApp":           {webapps.ErrUnknownApp, fault.NotFound},
}

// TestEveryExportedErrorHasAKind walks the source of every package for
// exported package-level Err... variables and proves each is a kinded
// error of the kind listed above: the one error map never meets an error
// nobody classified.
func TestEveryExportedErrorHasAKind(t *testing.T) {
	t.Parallel()
	var found []string
	for path, p := range listModule(t) {
		short := path[strings.LastIndex(path, "/")+1:]
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.VAR {
					continue
				}
				for _, spec := range gd.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						if strings.HasPrefix(id.Name, "Err") && id.IsExported() {
							found = append(found, short+"."+id.Name)
						}
					}
				}
			}
		}
	}
	sort.Strings(found)
	for _, name := range found {
		want, ok := kinds[name]
		if !ok {
			t.Errorf("%s has no deliberate kind: add it to this test's table with the kind its callers need", name)
			continue
		}
		if _, ok := want.err.(fault.Kinded); !ok {
			t.Errorf("%s is not a kinded error (fault.New or a type with Kind)", name)
		}
		if got := fault.KindOf(want.err); got != want.kind {
			t.Errorf("%s is of kind %v, want %v", name, got, want.kind)
		}
	}
	for name := range kinds {
		if !slices.Contains(found, name) {
			t.Errorf("%s is in the table but not in the source", name)
		}
	}
}
