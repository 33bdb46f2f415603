package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"loginshell/internal/audit"
)

// pythonVerifier is the reference verifier, run on the exports these
// tests write.
var pythonVerifier = filepath.Join("..", "..", "build", "scripts", "verify-export.py")

// python runs the reference verifier with args; ok is false when there
// is no python3 here (skipped, but failed in CI).
func python(t *testing.T, args ...string) (code int, out string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is missing: CI runs the reference verifier (build/scripts/deps.sh)")
		}
		t.Skip("no python3: the reference verifier is not run")
	}
	cmd := exec.Command(py, append([]string{pythonVerifier}, args...)...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), b.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, b.String()
}

// fingerprintOf runs `station key` at dir and returns the fingerprint it
// prints.
func fingerprintOf(t *testing.T, dir string) string {
	t.Helper()
	code, stdout, stderr := runCLI(dir, "station", "key", "--data", dir)
	m := regexp.MustCompile(`key fingerprint \(SHA-256 of its Ed25519 public key\): ([0-9a-f ]{79})`).FindStringSubmatch(stdout)
	if code != 0 || m == nil {
		t.Fatalf("station key: exit %d\n%s%s", code, stdout, stderr)
	}
	return m[1]
}

// TestExportForAuditors writes exports of a signed trail (both stores):
// `audit verify --export` and the reference verifier in Python accept
// them, against the station's fingerprint, and refuse each tampered copy.
// With LOGINSHELL_EXPORT_DIR set it leaves an export, a tampered one and
// the fingerprint there, for `make test` to time the Python verifier on.
func TestExportForAuditors(t *testing.T) {
	t.Parallel()
	for _, ps := range plantStores {
		t.Run(ps.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			flag, _ := ps.open(t, dir)
			signRequests(t, dir, flag, 6)
			fp := fingerprintOf(t, dir)
			es, _ := trailOf(t, dir, flag)
			request := es[len(es)/2].Request
			files := map[string][]string{
				"whole":       nil,
				"one request": {"--request", request},
				"since":       {"--since", es[20].Time.Format("2006-01-02T15:04:05.999999999Z07:00")},
			}
			for name, filter := range files {
				file := filepath.Join(t.TempDir(), "export.json")
				code, stdout, stderr := runCLI(dir, withStore(flag, append(append([]string{"audit", "export", "--data", dir}, filter...), file)...)...)
				if code != 0 || !strings.Contains(stdout, "wrote "+file) {
					t.Fatalf("%s: audit export: exit %d\n%s%s", name, code, stdout, stderr)
				}
				code, stdout, stderr = runCLI(dir, "audit", "verify", "--export", file, "--fingerprint", fp)
				if code != 0 || !strings.Contains(stdout, "OK: the export") || !strings.Contains(stdout, "every station key is one of the fingerprints given") {
					t.Errorf("%s: audit verify --export: exit %d\n%s%s", name, code, stdout, stderr)
				}
				if ps.name == "sqlite" {
					if code, out := python(t, "--fingerprint", fp, file); code != 0 || !strings.Contains(out, "OK: the export") {
						t.Errorf("%s: the Python verifier: exit %d\n%s", name, code, out)
					}
				}
			}
		})
	}
}

// TestTamperedExportsAreRefused changes an export as whoever holds the
// file could, and both verifiers must refuse each copy.
func TestTamperedExportsAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	signRequests(t, dir, "", 6)
	fp := fingerprintOf(t, dir)
	good := filepath.Join(dir, "export.json")
	if code, stdout, stderr := runCLI(dir, "audit", "export", "--data", dir, good); code != 0 {
		t.Fatalf("audit export: exit %d\n%s%s", code, stdout, stderr)
	}
	read := func(t *testing.T) audit.Export {
		f, err := os.Open(good)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		x, err := audit.ReadExport(f)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	rehash := func(x *audit.Export, from int) {
		for i := from; i < len(x.Entries); i++ {
			x.Entries[i] = audit.Seal(&x.Entries[i-1], x.Entries[i])
		}
	}
	_, evil, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name   string
		tamper func(x *audit.Export)
		fp     string // the fingerprint given, fp when ""
		want   string // in Go's stderr
		py     string // in the Python verifier's
	}{
		{"a comment edited", func(x *audit.Export) { x.Entries[10].Comment = "fine" }, "", "does not match its hash", "does not match its hash"},
		{"a comment edited and every later hash recomputed", func(x *audit.Export) { x.Entries[10].Comment = "fine"; rehash(x, 10) }, "",
			"the trail was rewritten and re-hashed", "the trail was rewritten and re-hashed"},
		{"the last 5 entries cut", func(x *audit.Export) { x.Entries = x.Entries[:len(x.Entries)-5] }, "", "the trail ends at", "the trail ends at"},
		{"a forged approval appended", func(x *audit.Export) {
			e := x.Entries[len(x.Entries)-1]
			e.Event, e.Comment = audit.EventApprove, "released"
			x.Entries = append(x.Entries, audit.Seal(&x.Entries[len(x.Entries)-1], e))
		}, "", "no station's key vouches for it", "no station's key vouches for entry"},
		{"a checkpoint removed", func(x *audit.Export) { x.Checkpoints = append(x.Checkpoints[:3:3], x.Checkpoints[4:]...) }, "",
			"that is not there", "that is not there"},
		{"a checkpoint signed again by another key", func(x *audit.Export) { x.Checkpoints[2] = audit.SignCheckpoint(evil, x.Checkpoints[2]) }, "",
			"not registered for ST-1", "not registered for ST-1"},
		{"the key swapped and every checkpoint signed again", func(x *audit.Export) {
			for i, c := range x.Checkpoints {
				x.Checkpoints[i] = audit.SignCheckpoint(evil, c)
			}
			for i := range x.Keys {
				x.Keys[i].Key = x.Checkpoints[0].Key
			}
		}, "", "is not among the fingerprints given", "is not among the fingerprints given"},
		{"a checkpoint's time changed", func(x *audit.Export) { x.Checkpoints[2].Time = x.Checkpoints[2].Time.Add(time.Second) }, "",
			"does not verify under its key", "does not verify under its key"},
		{"nothing changed, but another station's fingerprint given", func(*audit.Export) {},
			"0000 1111 2222 3333 4444 5555 6666 7777 8888 9999 aaaa bbbb cccc dddd eeee ffff", "is not among the fingerprints given", "is not among the fingerprints given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := read(t)
			tt.tamper(&x)
			var b bytes.Buffer
			if _, err := x.WriteTo(&b); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "tampered.json")
			if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			given := fp
			if tt.fp != "" {
				given = tt.fp
			}
			code, stdout, stderr := runCLI(dir, "audit", "verify", "--export", file, "--fingerprint", given)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("audit verify --export: exit %d\n%s%s\nwant 1 naming %q", code, stdout, stderr, tt.want)
			}
			if code, out := python(t, "--fingerprint", given, file); code != 1 || !strings.Contains(out, tt.py) {
				t.Errorf("the Python verifier: exit %d\n%s\nwant 1 naming %q", code, out, tt.py)
			}
		})
	}
	if out := os.Getenv("LOGINSHELL_EXPORT_DIR"); out != "" {
		// For `make test`: the export, a tampered copy and the fingerprint.
		x := read(t)
		x.Entries[10].Comment = "fine"
		rehash(&x, 10)
		var b bytes.Buffer
		if _, err := x.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(good)
		if err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string][]byte{"export.json": data, "tampered.json": b.Bytes(), "fingerprint": []byte(fp + "\n")} {
			if err := os.WriteFile(filepath.Join(out, name), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
