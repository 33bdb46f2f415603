package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
	"loginshell/internal/store/sqlite"
)

const templates = `[{"name": "Line Release", "description": "Release a line.", "expression": "{role:Operator} AND {role:Supervisor}",
 "idp": "local", "framing": "embedded", "timeout": 2, "force": false, "forceUniqueUser": true, "meaning": "Approval", "requireComment": false}]`

// options are a command line whose --data defaults to a fresh directory,
// whose signatures.db the test also reads.
func options(t *testing.T) (env, string) {
	dir := t.TempDir()
	return env{dataDir: dir, station: "MES-1", now: time.Now, poll: 20 * time.Millisecond, openStore: shell.OpenStore}, dir
}

// run runs a signature subcommand and returns what it printed; an
// o.stdout given also gets the output, as it is written.
func run(t *testing.T, o env, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	also := o.stdout
	o.stdout, o.stderr = &out, &errb
	if also != nil {
		o.stdout = io.MultiWriter(&out, also)
	}
	err := runSignature(&o, args)
	var exit exitCode
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = int(exit)
	default:
		errb.WriteString(err.Error())
		code = 1
	}
	return out.String(), errb.String(), code
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no verb", nil, "say queue or templates import"},
		{"an unknown verb", []string{"sign"}, `unknown verb "sign"`},
		{"queue without a template", []string{"queue", "--name", "R"}, "--template NAME"},
		{"queue without a name", []string{"queue", "--template", "T"}, "--name NAME"},
		{"a bad timeout", []string{"queue", "--template", "T", "--name", "R", "--timeout", "soon"}, `--timeout "soon"`},
		{"an unknown flag", []string{"queue", "--frob"}, "frob"},
		{"import without a file", []string{"templates", "import"}, "name one file"},
	} {
		t.Run(tt.name+" is a usage error", func(t *testing.T) {
			t.Parallel()
			o, _ := options(t)
			stdout, stderr, code := run(t, o, tt.args...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 2 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line naming %q", code, stdout, stderr, tt.want)
			}
		})
	}
	t.Run("help goes to stdout", func(t *testing.T) {
		t.Parallel()
		o, _ := options(t)
		stdout, stderr, code := run(t, o, "queue", "-h")
		if code != 0 || stderr != "" || !strings.Contains(stdout, "-wait") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

func TestImport(t *testing.T) {
	t.Parallel()
	o, dir := options(t)
	file := filepath.Join(dir, "plant.json")
	os.WriteFile(file, []byte(templates), 0o600)
	if out, stderr, code := run(t, o, "templates", "import", file); code != 0 || !strings.Contains(out, "1 template(s) stored") {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	if out, _, code := run(t, o, "templates", "import", file); code != 0 || !strings.Contains(out, "0 template(s) stored, 1 unchanged") {
		t.Errorf("again: exit %d: %s", code, out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"name": "Other", "expression": "{role:A}", "meaning": "Review"}, {"name": "Broken", "expression": "{role:A}", "meaning": "Review", "timeout": -1}]`), 0o600)
	_, stderr, code := run(t, o, "templates", "import", bad)
	if code != 1 || !strings.Contains(stderr, bad+": ") || !strings.Contains(stderr, "entry 2") || !strings.Contains(stderr, `"timeout"`) {
		t.Errorf("a bad file: exit %d, stderr %q; want 1 naming the file, entry 2 and timeout", code, stderr)
	}
	s, err := sqlite.Open(filepath.Join(dir, "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Template(context.Background(), "Other"); !errors.Is(err, signature.ErrNoTemplate) {
		t.Errorf("a bad file stored its first entry: %v", err)
	}
}

// TestImportRecordsAnOlderTemplatesHash: a template stored by a version
// before templates were hashed (no "stored" entry with its hash) is
// stored again by an import of the same file, its entry carrying the
// hash, once; from then on a request queued from it weakened in the
// store is named by audit verify.
func TestImportRecordsAnOlderTemplatesHash(t *testing.T) {
	t.Parallel()
	o, dir := options(t)
	file := filepath.Join(dir, "plant.json")
	os.WriteFile(file, []byte(templates), 0o600)
	ts, err := signature.ParseTemplates([]byte(templates))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(filepath.Join(dir, "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutTemplate(context.Background(), ts[0]); err != nil { // as an older version stored it: no hash in the trail
		t.Fatal(err)
	}
	s.Close()
	if out, stderr, code := run(t, o, "templates", "import", file); code != 0 || !strings.Contains(out, "0 template(s) stored, 1 unchanged") ||
		!strings.Contains(out, "1 of the unchanged recorded in the audit trail with their hash for the first time") {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	if out, _, code := run(t, o, "templates", "import", file); code != 0 || strings.Contains(out, "for the first time") {
		t.Errorf("again: exit %d: %s", code, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE templates SET expression = '{role:Operator}'`); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, o, "queue", "--template", "Line Release", "--name", "R"); code != 0 {
		t.Fatal(stderr)
	}
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, dataDir: dir, station: "MES-1", now: time.Now, poll: time.Second, openStore: shell.OpenStore}
	if code := e.exit(e.run([]string{"audit", "verify", "--data", dir})); code != 1 || !strings.Contains(errb.String(), "as no entry of the trail recorded it") {
		t.Errorf("verify after the template was weakened: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

func TestQueueWait(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		approve  []bool // the slots' signatures, in order
		cancel   bool
		forge    string // a state set in the store with no signature, as a DBA could
		wantCode int
		want     string
	}{
		{"a request set approved in the store exits 3", nil, false, "approved", 3, "is approved in the store, but its signatures do not settle it so"},
		{"approved by both slots exits 0", []bool{true, true}, false, "", 0, "approved"},
		{"a rejected slot exits 1", []bool{false}, false, "", 1, "rejected by Sam Supervisor (user ID sam)"},
		{"a cancelled request exits 3", nil, true, "", 3, "cancelled"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, dir := options(t)
			file := filepath.Join(dir, "plant.json")
			os.WriteFile(file, []byte(templates), 0o600)
			if _, stderr, code := run(t, o, "templates", "import", file); code != 0 {
				t.Fatal(stderr)
			}
			s, err := sqlite.Open(filepath.Join(dir, "signatures.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// The signer starts once queue prints the slots: the request
			// is stored by then.
			queued := &firstWrite{done: make(chan struct{})}
			o.stdout = queued
			go func() {
				ctx := context.Background()
				<-queued.done
				reqs, err := s.Pending(ctx, signature.Filter{Name: "R"})
				if err != nil || len(reqs) != 1 {
					t.Errorf("pending after queue printed the slots: %v, %v", reqs, err)
					return
				}
				r := reqs[0]
				if tt.cancel {
					s.Cancel(ctx, r.ID)
				}
				if tt.forge != "" {
					db, err := sql.Open("sqlite", filepath.Join(dir, "signatures.db"))
					if err != nil {
						t.Error(err)
						return
					}
					defer db.Close()
					if _, err := db.Exec(`UPDATE requests SET state = ? WHERE id = ?`, tt.forge, r.ID.String()); err != nil {
						t.Error(err)
					}
				}
				for i, approve := range tt.approve {
					sig := signature.Signature{Signer: signature.Signer{UserID: "sam", PrintedName: "Sam Supervisor"}, Approve: approve,
						Meaning: "Approval", Comment: "ok", SignedAt: time.Now(), Station: "ST-2"}
					if _, err := s.Sign(ctx, r.Slots[i].ID, sig, false); err != nil {
						t.Error(err)
					}
				}
			}()
			stdout, stderr, code := run(t, o, "queue", "--template", "line release", "--name", "R", "--description", "Batch 4711", "--wait", "--timeout", "20s")
			lines := strings.Split(stdout, "\n")
			if _, err := uuid.Parse(lines[0]); err != nil {
				t.Errorf("first line %q is not a slot UUID", lines[0])
			}
			if code != tt.wantCode || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, tt.wantCode, tt.want)
			}
			// The queue went through the engine: its audit entry is there.
			var events []string
			s.AuditEntries(context.Background(), func(e audit.Entry) error { events = append(events, e.Event); return nil })
			if !strings.Contains(strings.Join(events, " "), "template queue") {
				t.Errorf("audit events %v, want the template and the queue", events)
			}
		})
	}
	t.Run("a timeout exits 3 and says the request is pending", func(t *testing.T) {
		t.Parallel()
		o, dir := options(t)
		file := filepath.Join(dir, "plant.json")
		os.WriteFile(file, []byte(templates), 0o600)
		run(t, o, "templates", "import", file)
		stdout, stderr, code := run(t, o, "queue", "--template", "Line Release", "--name", "R", "--wait", "--timeout", "100ms")
		if code != 3 || strings.Count(stdout, "\n") != 2 || !strings.Contains(stderr, "still pending") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

// firstWrite closes done at the first Write.
type firstWrite struct {
	once sync.Once
	done chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.done) })
	return len(p), nil
}
