package durability_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"loginshell/internal/settings"
	"loginshell/internal/user"
)

// helperEnv makes the test binary a writer that never stops (killHelper).
const helperEnv = "LOGINSHELL_DURABILITY_HELPER"

// TestKillDuringWrites kills a process with -9 at random moments while it
// sets up offline passwords (a new vault each time), changes one, or
// writes a setting, over and over; after each kill the files hold the last
// write the process reported committed, or the one it was making — never
// a torn or empty file.
func TestKillDuringWrites(t *testing.T) {
	for _, what := range []string{"setup", "vault", "settings"} {
		t.Run(what, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(len(what)), 11))
			for round := range 15 {
				dir := t.TempDir()
				if what == "vault" {
					k := openKeychain(t, dir)
					if err := k.Create("alice", "password-0", user.Profile{Username: "alice"}); err != nil {
						t.Fatal(err)
					}
				}
				last := killWriter(t, what, dir, time.Duration(rng.IntN(300))*time.Millisecond)
				switch what {
				case "setup":
					k := openKeychain(t, dir)
					for i := 1; i <= last; i++ {
						if _, err := k.Unlock(fmt.Sprint("user", i), fmt.Sprint("password-", i)); err != nil {
							t.Fatalf("round %d: user%d, set up before the kill, does not unlock: %v", round, i, err)
						}
					}
					// The one being set up is there whole, or not at all.
					if n := fmt.Sprint("user", last+1); k.Exists(n) {
						if _, err := k.Unlock(n, fmt.Sprint("password-", last+1)); err != nil {
							t.Fatalf("round %d: %s, set up as the kill came, is there but does not unlock: %v", round, n, err)
						}
					}
				case "vault":
					k := openKeychain(t, dir)
					if _, err := k.Unlock("alice", fmt.Sprint("password-", last)); err != nil {
						if _, err2 := k.Unlock("alice", fmt.Sprint("password-", last+1)); err2 != nil {
							t.Fatalf("round %d: after a kill the vault opens with neither the last committed password (%d: %v) nor the next (%v)", round, last, err, err2)
						}
					}
				case "settings":
					st, err := settings.Open(filepath.Join(dir, "settings.json"))
					if err != nil {
						t.Fatalf("round %d: after a kill the settings do not open: %v", round, err)
					}
					got := st.String(settings.LoginURL)
					if got != fmt.Sprintf("https://login%d.example.com", last) && got != fmt.Sprintf("https://login%d.example.com", last+1) {
						t.Fatalf("round %d: login_url %q after a kill, want write %d or %d", round, got, last, last+1)
					}
				}
			}
		})
	}
}

// killWriter runs the writer on dir, kills it with -9 after it committed
// at least one write and then after wait, and returns the number of the
// last write it reported committed.
func killWriter(t *testing.T, what, dir string, wait time.Duration) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKillHelper$")
	cmd.Env = append(os.Environ(), helperEnv+"="+what, "LOGINSHELL_DURABILITY_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan int, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
				v, _ := strconv.Atoi(n)
				lines <- v
			}
		}
		close(lines)
	}()
	last := 0
	select {
	case last = <-lines:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the writer committed nothing in 30 s")
	}
	time.Sleep(wait)
	cmd.Process.Kill()
	// Every line the writer wrote before it died is read before Wait, which
	// closes the pipe: a Wait first could cut the reading short, and the
	// file would hold a write later than the last one read (CI, round 8:
	// write 36 on disk, 33 read).
	for n := range lines {
		last = n
	}
	cmd.Wait()
	return last
}

// TestKillHelper is the writer killWriter kills; it does nothing in a
// normal run.
func TestKillHelper(t *testing.T) {
	what, dir := os.Getenv(helperEnv), os.Getenv("LOGINSHELL_DURABILITY_DIR")
	if what == "" {
		t.Skip("the writer of TestKillDuringWrites")
	}
	w := bufio.NewWriter(os.Stdout)
	switch what {
	case "setup":
		k := openKeychain(t, dir)
		for i := 1; ; i++ {
			if err := k.Create(fmt.Sprint("user", i), fmt.Sprint("password-", i), user.Profile{Username: fmt.Sprint("user", i)}); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "committed %d\n", i)
			w.Flush()
		}
	case "vault":
		k := openKeychain(t, dir)
		for i := 1; ; i++ {
			if err := k.ChangePassword("alice", fmt.Sprint("password-", i-1), fmt.Sprint("password-", i), nil); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "committed %d\n", i)
			w.Flush()
		}
	case "settings":
		st, err := settings.Open(filepath.Join(dir, "settings.json"))
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; ; i++ {
			if err := st.Set(settings.LoginURL, fmt.Sprintf("https://login%d.example.com", i)); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "committed %d\n", i)
			w.Flush()
		}
	}
}
