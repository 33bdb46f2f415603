package install

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loginshell/internal/fault"
)

// anyone is the Permit of tests about installing itself.
func anyone() error { return nil }

// person returns a Person: nobody when name is "".
func person(name string, roles ...string) Person {
	return func() (string, []string, bool) { return name, roles, name != "" }
}

func TestPermit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		person   Person
		role     string
		wantErr  error
		wantText string
	}{
		{name: "nobody signed in may not install", person: person(""), wantErr: ErrSignedOut},
		{name: "nobody signed in may not install, whatever the role", person: person(""), role: "Supervisor", wantErr: ErrSignedOut},
		{name: "without installer_role every signed-in person may", person: person("operator", "Operator")},
		{name: "a person with the role may", person: person("supervisor", "Operator", "Supervisor"), role: "Supervisor"},
		{name: "the role compares as signature clauses do", person: person("supervisor", "supervisor"), role: " SUPERVISOR "},
		{name: "a person without the role may not, and is told which", person: person("operator", "Operator"), role: "Supervisor",
			wantErr: ErrNotInstaller, wantText: `the role "Supervisor" (the installer_role setting), and operator does not have it`},
		{name: "a person without any role may not", person: person("qa"), role: "QA", wantErr: ErrNotInstaller},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Permit(tt.person, func() string { return tt.role })()
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Permit() = %v, want %v", err, tt.wantErr)
			}
			if err != nil && fault.KindOf(err) != fault.Forbidden {
				t.Errorf("kind %v, want Forbidden (403)", fault.KindOf(err))
			}
			if tt.wantText != "" && !strings.Contains(fault.Text(err), tt.wantText) {
				t.Errorf("text %q, want it to say %q", fault.Text(err), tt.wantText)
			}
		})
	}
}

// TestServiceAsksPermit: the service refuses every install Permit refuses,
// before it reads an upload or touches a file, and says why; the guard is
// the service's, not the chrome's hidden buttons.
func TestServiceAsksPermit(t *testing.T) {
	t.Parallel()
	inst := &realInstaller{dir: filepath.Join(t.TempDir(), "webapps")}
	dir := t.TempDir()
	s, err := New(Options{Installer: inst, Dir: dir, Permit: Permit(person("operator", "Operator"), func() string { return "Supervisor" })})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Permitted(); !errors.Is(err, ErrNotInstaller) {
		t.Errorf("Permitted() = %v, want ErrNotInstaller", err)
	}
	events, stop := s.Subscribe()
	defer stop()
	path := writeFile(t, goodZip(t))
	r, err := s.InstallFile(path, false)
	if !errors.Is(err, ErrNotInstaller) || r.Phase != PhaseRefused || r.OK || !strings.Contains(r.Message, `role "Supervisor"`) {
		t.Errorf("InstallFile = %+v, %v; want refused naming the role", r, err)
	}
	r, err = s.InstallUpload(untouchable{t}, 100, true)
	if !errors.Is(err, ErrNotInstaller) || r.Phase != PhaseRefused {
		t.Errorf("InstallUpload = %+v, %v; want refused before reading", r, err)
	}
	r, err = s.InstallUpload(bytes.NewReader(goodZip(t)), -1, false)
	if !errors.Is(err, ErrNotInstaller) || r.OK {
		t.Errorf("InstallUpload = %+v, %v; want refused", r, err)
	}
	if _, err := os.Stat(inst.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the installer ran for a person without the role: %v", err)
	}
	noUploads(t, dir)
	select {
	case e := <-events:
		t.Errorf("a refused install was published: %+v", e)
	default:
	}
}
