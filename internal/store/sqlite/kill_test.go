//go:build !windows

package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

const (
	killChildEnv = "STORE_SQLITE_KILL_CHILD" // the database file
	killRounds   = 3
)

// TestSurvivesKill runs a child process that queues, signs and cancels
// requests in a loop, every change audited in its own transaction, and
// SIGKILLs it at a random moment, killRounds times on one file. After
// each kill the file opens, every request the child reported committed is
// there, every request is whole (its state agrees with its slots), every
// change has its audit entry and no entry lacks its change, and the trail
// verifies.
func TestSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills a child process several times")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	// What the children reported committed: "queued" request and
	// "signed" slot UUIDs.
	committed := map[string]map[string]bool{"queued": {}, "signed": {}}
	for round := range killRounds {
		wait := time.Duration(100+rand.IntN(900)) * time.Millisecond
		t.Logf("round %d: kill after %v", round, wait)
		runAndKill(t, path, wait, committed)
		checkAfterKill(t, path, committed)
	}
}

// runAndKill starts the child on path, kills it wait after it says it
// started, and adds the UUIDs it reported committed to committed.
func runAndKill(t *testing.T, path string, wait time.Duration, committed map[string]map[string]bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// A generous ceiling only so a broken child cannot hang the suite.
	select {
	case l, ok := <-lines:
		if !ok || l != "started" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child did not start: %q", l)
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child never started")
	}
	time.Sleep(wait)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	n := 0
	for l := range lines {
		// A line cut short by the kill names nothing: bufio returns it
		// without its newline, and it does not parse.
		verb, id, _ := strings.Cut(l, " ")
		if _, err := uuid.Parse(id); err == nil && committed[verb] != nil {
			committed[verb][id] = true
			n++
		}
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the child exited by itself")
	}
	if n == 0 {
		t.Fatal("the child committed nothing before the kill")
	}
	t.Logf("the child reported %d commits", n)
}

// checkAfterKill opens path as the next start of the shell would and
// checks it whole.
func checkAfterKill(t *testing.T, path string, committed map[string]map[string]bool) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	defer s.Close()

	// What the trail says happened, by request and by slot.
	queued, signed, settled, cancelled := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	err = audit.Verify(func(yield func(audit.Entry, error) bool) {
		err := s.AuditEntries(ctx, func(e audit.Entry) error {
			switch e.Event {
			case audit.EventQueue:
				queued[e.Request]++
			case "slot":
				signed[e.Slot]++
			case audit.EventApprove, audit.EventReject:
				settled[e.Request]++
			case audit.EventCancel:
				cancelled[e.Request]++
			}
			if !yield(e, nil) {
				return fmt.Errorf("stopped")
			}
			return nil
		})
		if err != nil {
			yield(audit.Entry{}, err)
		}
	})
	if err != nil {
		t.Fatalf("audit.Verify after the kill: %v", err)
	}

	rows, err := s.r.Query(`SELECT id FROM requests`)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []uuid.UUID
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, uuid.MustParse(id))
	}
	rows.Close()
	present := map[string]bool{}
	for _, id := range reqs {
		_, r, err := s.Slot(ctx, mustFirstSlot(t, s, id))
		if err != nil {
			t.Fatal(err)
		}
		present[r.ID.String()] = true
		checkWhole(t, r)
		if queued[r.ID.String()] != 1 {
			t.Errorf("request %s: %d queue entries, want 1", r.ID, queued[r.ID.String()])
		}
		wantSettled := 0
		if r.State == signature.Approved || r.State == signature.Rejected {
			wantSettled = 1
		}
		if settled[r.ID.String()] != wantSettled {
			t.Errorf("request %s is %s with %d approve/reject entries", r.ID, r.State, settled[r.ID.String()])
		}
		if c := cancelled[r.ID.String()]; (c == 1) != (r.State == signature.Cancelled) || c > 1 {
			t.Errorf("request %s is %s with %d cancel entries", r.ID, r.State, c)
		}
		for _, sl := range r.Slots {
			if n := signed[sl.ID.String()]; (sl.Signature != nil) != (n == 1) || n > 1 {
				t.Errorf("slot %s is %s with %d entries", sl.ID, sl.State, n)
			}
			if committed["signed"][sl.ID.String()] && sl.Signature == nil {
				t.Errorf("slot %s: the child saw its signature committed, the file has none", sl.ID)
			}
		}
	}
	if len(queued) != len(reqs) {
		t.Errorf("%d queue entries for %d requests", len(queued), len(reqs))
	}
	for id := range committed["queued"] {
		if !present[id] {
			t.Errorf("request %s was reported committed and is gone", id)
		}
	}

	// And the store goes on, audited as the child audits.
	r := killRequest(0)
	if _, err := s.QueueAudited(ctx, r, killEntries(audit.EventQueue, uuid.Nil)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CancelAudited(ctx, r.ID, killEntries(audit.EventCancel, uuid.Nil)); err != nil {
		t.Fatal(err)
	}
}

func mustFirstSlot(t *testing.T, s *Store, request uuid.UUID) uuid.UUID {
	t.Helper()
	var id string
	if err := s.r.QueryRow(`SELECT id FROM slots WHERE request = ? ORDER BY idx LIMIT 1`, request.String()).Scan(&id); err != nil {
		t.Fatalf("request %s has no slot: %v", request, err)
	}
	return uuid.MustParse(id)
}

// checkWhole fails t unless r's state agrees with its slots: every slot
// there, approved only with every slot approved, rejected with one slot
// rejected, pending with none rejected and one pending.
func checkWhole(t *testing.T, r signature.Request) {
	t.Helper()
	var want int
	if _, err := fmt.Sscanf(r.Name, "kill slots=%d", &want); err != nil || len(r.Slots) != want {
		t.Errorf("request %s (%s) has %d slots", r.ID, r.Name, len(r.Slots))
	}
	count := map[signature.State]int{}
	for i, sl := range r.Slots {
		count[sl.State]++
		if sl.Index != i || (sl.Signature != nil) != (sl.State == signature.Approved || sl.State == signature.Rejected) {
			t.Errorf("request %s: slot %d is %s with signature %v", r.ID, i, sl.State, sl.Signature)
		}
	}
	ok := false
	switch r.State {
	case signature.Approved:
		ok = count[signature.Approved] == len(r.Slots)
	case signature.Rejected:
		ok = count[signature.Rejected] == 1 && count[signature.Pending] == 0
	case signature.Pending:
		ok = count[signature.Rejected] == 0 && count[signature.Cancelled] == 0 && count[signature.Pending] > 0
	case signature.Cancelled:
		ok = count[signature.Rejected] == 0 && count[signature.Pending] == 0
	}
	if !ok {
		t.Errorf("request %s is %s with slots %v", r.ID, r.State, count)
	}
}

// killRequest is the child's i-th request: 1 to 3 slots.
func killRequest(i int) signature.Request {
	n := 1 + i%3
	r := signature.Request{ID: uuid.New(), Template: "Kill", Name: fmt.Sprintf("kill slots=%d", n), State: signature.Pending, QueuedAt: time.Now()}
	for j := range n {
		r.Slots = append(r.Slots, signature.Slot{ID: uuid.New(), Request: r.ID, Index: j, Clause: fmt.Sprintf("{userName:u%d}", j), State: signature.Pending})
	}
	return r
}

// killEntries is how the child audits a change: one entry, and for a
// signature that settled its request a second one, approve or reject.
func killEntries(event string, slot uuid.UUID) func(signature.Request) []audit.Entry {
	return func(r signature.Request) []audit.Entry {
		es := []audit.Entry{{Time: time.Now(), Event: event, Request: r.ID.String(), RequestName: r.Name}}
		if slot != uuid.Nil {
			es[0].Slot = slot.String()
		}
		if event == "slot" && (r.State == signature.Approved || r.State == signature.Rejected) {
			ev := audit.EventApprove
			if r.State == signature.Rejected {
				ev = audit.EventReject
			}
			es = append(es, audit.Entry{Time: time.Now(), Event: ev, Request: r.ID.String()})
		}
		return es
	}
}

// TestKillChild is the child of TestSurvivesKill; it does nothing in a
// normal run. It prints "queued <request>" and "signed <slot>" after
// each commit returns.
func TestKillChild(t *testing.T) {
	path := os.Getenv(killChildEnv)
	if path == "" {
		t.Skip("run by TestSurvivesKill")
	}
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	entry := killEntries
	fmt.Println("started")
	for i := 0; ; i++ {
		r := killRequest(i)
		if _, err := s.QueueAudited(ctx, r, entry(audit.EventQueue, uuid.Nil)); err != nil {
			t.Fatal(err)
		}
		fmt.Println("queued", r.ID)
		for j, sl := range r.Slots {
			if i%7 == 3 && j == 1 {
				if _, _, err := s.CancelAudited(ctx, r.ID, entry(audit.EventCancel, uuid.Nil)); err != nil {
					t.Fatal(err)
				}
				break
			}
			sig := signature.Signature{
				Signer:  signature.Signer{UserID: fmt.Sprintf("u%d", j), PrintedName: "U"},
				Approve: !(i%5 == 4 && j == len(r.Slots)-1), Meaning: "Approval", SignedAt: time.Now(),
			}
			if _, _, err := s.SignAudited(ctx, sl.ID, sig, true, entry("slot", sl.ID)); err != nil {
				t.Fatal(err)
			}
			fmt.Println("signed", sl.ID)
		}
	}
}
