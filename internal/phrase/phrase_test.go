package phrase_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"loginshell/internal/fault"
	"loginshell/internal/phrase"
)

func TestClean(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
		wantErr        error
	}{
		{"a phrase is kept", "blue heron, line 4", "blue heron, line 4", nil},
		{"spaces around and inside are tidied", "  blue \t heron  ", "blue heron", nil},
		{"letters of any script count as one each", "héron bleu", "héron bleu", nil},
		{"too short", "abc", "", phrase.ErrInvalid},
		{"only spaces", "     ", "", phrase.ErrInvalid},
		{"too long", strings.Repeat("a", phrase.MaxLen+1), "", phrase.ErrInvalid},
		{"the longest allowed", strings.Repeat("é", phrase.MaxLen), strings.Repeat("é", phrase.MaxLen), nil},
		{"a control character", "blue\x00heron", "", phrase.ErrInvalid},
		{"a right-to-left override that reorders what is shown", "blue \u202eheron", "", phrase.ErrInvalid},
		{"a zero-width space that hides a difference", "blue\u200bheron", "", phrase.ErrInvalid},
		{"not UTF-8", "blue \xff heron", "", phrase.ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := phrase.Clean(tt.in)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("Clean(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && fault.KindOf(err) != fault.Invalid {
				t.Errorf("Clean(%q) error kind %v; want invalid", tt.in, fault.KindOf(err))
			}
		})
	}
}

func TestSetOnceThenKept(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", phrase.FileName)
	s, err := phrase.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Phrase(); got != "" {
		t.Fatalf("a new station's phrase = %q; want none", got)
	}
	if err := s.Set("  blue   heron "); err != nil {
		t.Fatal(err)
	}
	if got := s.Phrase(); got != "blue heron" {
		t.Errorf("Phrase() = %q after Set", got)
	}
	if err := s.Set("green frog"); !errors.Is(err, phrase.ErrChosen) {
		t.Errorf("a second Set = %v; want ErrChosen", err)
	}
	if err := s.Set("ab"); !errors.Is(err, phrase.ErrInvalid) {
		t.Errorf("Set of a bad phrase = %v; want ErrInvalid before anything else", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("the phrase's file has mode %v; want 0600 (only the shell's account reads it)", fi.Mode().Perm())
	}
	again, err := phrase.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Phrase(); got != "blue heron" {
		t.Errorf("after a restart Phrase() = %q; want the phrase chosen", got)
	}
	if err := again.Set("green frog"); !errors.Is(err, phrase.ErrChosen) {
		t.Errorf("Set after a restart = %v; want ErrChosen", err)
	}
}

func TestOpenRefusesADamagedFile(t *testing.T) {
	t.Parallel()
	for _, content := range []string{"", "\n", "ab\n", "blue\x00heron\n"} {
		path := filepath.Join(t.TempDir(), phrase.FileName)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := phrase.Open(path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Open of a file holding %q = %v; want an error naming the file", content, err)
		}
	}
}

func TestSetFailsWithoutChangingAnything(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" || os.Getuid() == 0 {
		t.Skip("needs a directory the test cannot write to: not as root, not on Windows")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	s, err := phrase.Open(filepath.Join(dir, phrase.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("blue heron"); err == nil {
		t.Fatal("Set into a read-only directory succeeded")
	}
	if got := s.Phrase(); got != "" {
		t.Errorf("Phrase() = %q after a failed Set; want none", got)
	}
}
