package cli

import (
	"context"
	"fmt"
	"strings"

	"loginshell/internal/audit"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
)

// runImport is `signature templates import FILE`: the whole file is
// checked before anything is stored, so a bad file changes nothing.
func runImport(ctx context.Context, e *env, args []string) error {
	var dataDir, store string
	fs := e.signatureFlags("templates import", &dataDir, &store)
	if help, err := e.parseSignature(fs, "templates import", args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.signatureUsage("templates import", "name one file of templates (the templates.json format)")
	}
	path := fs.Arg(0)
	data, err := readFile(path)
	if err != nil {
		return fmt.Errorf("read templates: %w", err)
	}
	ts, err := signature.ParseTemplates(data)
	if err != nil {
		// The parser names the file templates.json; this one has a name.
		text := strings.Replace(err.Error(), "templates.json: ", "", 1)
		fmt.Fprintf(e.stderr, "loginshell signature templates import: %s: %s; nothing was stored\n", path, text)
		return exitCode(exitFailed)
	}
	eng, db, err := e.signatureEngine(dataDir, store)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = signature.ActingAs(ctx, shell.OSActor()+", "+path)
	recorded, err := recordedTemplates(ctx, db)
	if err != nil {
		return err
	}
	stored, first := 0, 0
	for _, t := range ts {
		// An unchanged template is not stored again: the trail records
		// changes, not imports. Unless the trail has no hash of it (one
		// stored by a version before templates were hashed): stored again,
		// its entry carries the hash, and requests are held to it.
		if have, err := eng.Template(ctx, t.Name); err == nil && have == t {
			if recorded[have.Hash()] {
				continue
			}
			first++
		}
		if err := eng.PutTemplate(ctx, t); err != nil {
			return fmt.Errorf("%s: template %q: %w (the templates before it were stored)", path, t.Name, err)
		}
		stored++
	}
	fmt.Fprintf(e.stdout, "%s: %d template(s) stored, %d unchanged\n", path, stored-first, len(ts)-stored+first)
	if first > 0 {
		fmt.Fprintf(e.stdout, "%s: %d of the unchanged recorded in the audit trail with their hash for the first time\n", path, first)
	}
	return nil
}

// recordedTemplates is the hash of every version of a template the trail
// of db recorded (the "stored" entries' Content). It reads the whole
// trail: for this command, not a station's start.
func recordedTemplates(ctx context.Context, db shell.SignatureStore) (map[string]bool, error) {
	recorded := map[string]bool{}
	_, err := db.AuditEvents(ctx, audit.EventTemplate, 0, func(e audit.Entry) error {
		if e.Detail == "stored" && e.Content != "" {
			recorded[e.Content] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the templates the audit trail recorded: %w", err)
	}
	return recorded, nil
}
