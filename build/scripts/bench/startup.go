package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"loginshell/internal/keychain"
	"loginshell/internal/user"
)

// quietMS is how long the screen must not change for the last change to
// be the final screen; a blinking caret does not count (xpaint.c).
const quietMS = 1500

// variant is one way of starting a window.
type variant struct {
	name string
	args func(round int) []string
}

// apps are what both start-up parts start, in this order: the two floors,
// loginshell --demo (a first start: a fresh data directory each round,
// under work, named with prefix), loginshell --offline (a station with
// an offline password, made once) and the third floor, the reduced
// template showing its page framed from another origin (bare -framed),
// as loginshell shows a hosted page.
func apps(b binaries, work, prefix string) ([]variant, error) {
	offline := filepath.Join(work, prefix+"offline-station")
	if err := offlineStation(offline); err != nil {
		return nil, err
	}
	return []variant{
		{"bare", func(int) []string { return []string{b.bare} }},
		{"vanilla", func(int) []string { return []string{b.vanilla} }},
		{"demo", func(r int) []string {
			return []string{b.loginshell, "--data", filepath.Join(work, fmt.Sprintf("%sdemo-%d", prefix, r)), "--demo"}
		}},
		{"offline", func(int) []string { return []string{b.loginshell, "--data", offline, "--offline"} }},
		{"framed", func(int) []string { return []string{b.bare, "-framed"} }},
	}, nil
}

// idleAfter is how long after its final screen an app is "at idle" for
// its memory: a station sits at its sign-in screen for minutes. It was
// 2 s until loginshell gave back its start-up pages 5 s after the
// chrome's DOM-ready (app.startPagesAfter); the floors measure the same
// at 2 s and at 10 s (their pages are not given back).
const idleAfter = 10 * time.Second

// startRun is what one start-up measured.
type startRun struct {
	mapMS, finalMS, pssMB float64
}

// startup measures the two floors (the reduced template, bare/, and
// Wails' vanilla template as `wails init` writes it), loginshell --demo (a
// first start: a fresh data directory each time) and loginshell --offline
// (a station with an offline password: its sign-in page), interleaved, on
// an Xvfb of their own at loginshell's window size. With before (another
// loginshell binary) its --demo and --offline take their turns too, and
// this build is reported against it: a change's before and after in the
// same rounds, on the same machine state.
func startup(rep *report, b binaries, work string, rounds int, before string) error {
	display, stop, err := startXvfb()
	if err != nil {
		return err
	}
	defer stop()
	variants, err := apps(b, work, "")
	if err != nil {
		return err
	}
	if before != "" {
		// A copy written as install writes this build, so both map alike.
		data, err := os.ReadFile(before)
		if err != nil {
			return err
		}
		copied := filepath.Join(work, "loginshell-before")
		if err := os.WriteFile(copied, data, 0o755); err != nil {
			return err
		}
		if err := install(copied); err != nil {
			return err
		}
		earlier, err := apps(binaries{loginshell: copied}, work, "before-")
		if err != nil {
			return err
		}
		for _, v := range earlier {
			if v.name != "demo" && v.name != "offline" {
				continue // the floors run once
			}
			v.name += "-before"
			variants = append(variants, v)
		}
	}
	got := map[string][]startRun{}
	for r := range rounds {
		for i := range variants {
			v := variants[(i+r)%len(variants)] // the order turns each round
			shot := ""
			if r == 0 {
				shot = filepath.Join(work, "final-"+v.name+".png")
			}
			res, err := startOnce(b.xpaint, display, v.args(r), shot, filepath.Join(work, v.name+".log"))
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", v.name, r+1, err)
			}
			logf("start-up %-7s round %d: mapped %4.0f ms, final screen %4.0f ms, PSS %5.1f MB", v.name, r+1, res.mapMS, res.finalMS, res.pssMB)
			got[v.name] = append(got[v.name], res)
			if shot != "" {
				rep.Shots = append(rep.Shots, shot)
			}
		}
	}
	pick := func(name string, f func(startRun) float64) []float64 {
		var out []float64
		for _, x := range got[name] {
			out = append(out, f(x))
		}
		return out
	}
	mapped, final, pss := func(r startRun) float64 { return r.mapMS }, func(r startRun) float64 { return r.finalMS }, func(r startRun) float64 { return r.pssMB }
	// Each figure against both floors: the template reduced to what it
	// shows at loginshell's size, and the template as Wails writes it.
	for _, floor := range []struct{ variant, name string }{
		{"bare", "the reduced template"}, {"vanilla", "the vanilla template, unmodified"},
	} {
		fig := func(name, unit, shell string, measure func(startRun) float64, target float64, note string) {
			rep.add(figure{Name: name, Unit: unit, Floor: pick(floor.variant, measure), Shell: pick(shell, measure), Target: target,
				Note: note + "floor: " + floor.name})
		}
		fig("window mapped, --demo", "ms", "demo", mapped, 1.05, "")
		fig("window mapped, --offline", "ms", "offline", mapped, 1.05, "")
		fig("final screen shown, --demo", "ms", "demo", final, 1.10, "the demo provider's sign-in page; ")
		fig("final screen shown, --offline", "ms", "offline", final, 1.05, "the offline sign-in page; ")
		fig("total PSS at idle, --demo", "MB", "demo", pss, 1.05, "the app and its WebKit processes, 10 s after the final screen; ")
		fig("total PSS at idle, --offline", "MB", "offline", pss, 1.05, "")
	}
	// The cost of a frame from another origin, which loginshell must pay
	// for every hosted page (pages are untrusted and get an origin of
	// their own), against the same page shown that way by the bare app.
	for _, f := range []struct {
		name, unit string
		measure    func(startRun) float64
	}{
		{"window mapped, --offline", "ms", mapped}, {"final screen shown, --offline", "ms", final}, {"total PSS at idle, --offline", "MB", pss},
	} {
		rep.add(figure{Name: f.name, Unit: f.unit, Floor: pick("framed", f.measure), Shell: pick("offline", f.measure),
			Note: "floor: the reduced template with its page in a frame from another origin, as loginshell shows a hosted page (bare -framed)"})
	}
	if before != "" {
		for _, f := range []struct {
			name, unit, shell string
			measure           func(startRun) float64
		}{
			{"window mapped, --demo", "ms", "demo", mapped}, {"window mapped, --offline", "ms", "offline", mapped},
			{"final screen shown, --demo", "ms", "demo", final}, {"final screen shown, --offline", "ms", "offline", final},
			{"total PSS at idle, --demo", "MB", "demo", pss}, {"total PSS at idle, --offline", "MB", "offline", pss},
		} {
			rep.add(figure{Name: f.name + ", against the build before", Unit: f.unit, Floor: pick(f.shell+"-before", f.measure),
				Shell: pick(f.shell, f.measure), Note: "floor: " + before})
		}
	}
	return nil
}

// startOnce starts argv under xpaint, reads when the window mapped and
// when its final screen was painted, lets it idle, measures its memory
// and stops it.
func startOnce(xpaint, display string, argv []string, shot, logPath string) (startRun, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return startRun{}, err
	}
	defer logFile.Close()
	cmd := exec.Command(xpaint, append([]string{strconv.Itoa(quietMS), "60000", "--"}, argv...)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return startRun{}, err
	}
	if err := cmd.Start(); err != nil {
		return startRun{}, err
	}
	var res startRun
	pid := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue // the app's own lines share the pipe
		}
		n, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "pid":
			pid = int(n)
		case "map":
			res.mapMS = n
		case "final":
			res.finalMS = n
		case "timeout", "exited":
			cmd.Wait()
			stopTree(pid)
			return res, fmt.Errorf("xpaint: %s %s; the app's log ends:\n%s", f[0], f[1], logTail(logPath))
		}
		if res.finalMS > 0 {
			break
		}
	}
	go func() { // the app keeps the pipe open: drain it in the background
		for sc.Scan() {
		}
	}()
	cmd.Wait()
	if shot != "" {
		exec.Command("import", "-display", display, "-window", "root", shot).Run()
	}
	time.Sleep(idleAfter)
	res.pssMB = float64(pssTree(pid)) / 1024
	stopTree(pid)
	return res, nil
}

// logTail is the end of an app's log, for an error that happens after
// the bench's work folder (and the log in it) is gone.
func logTail(path string) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// pssTree sums the proportional set size (kB) of pid and its descendants.
func pssTree(pid int) int64 {
	var total int64
	for _, p := range descendants(pid) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", p))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
				total += kb
			}
		}
	}
	return total
}

// descendants lists pid and every process below it.
func descendants(pid int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so after the last ')'.
		s := string(data)
		f := strings.Fields(s[strings.LastIndex(s, ")")+1:])
		if len(f) > 1 {
			parent[p], _ = strconv.Atoi(f[1])
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		for p, pp := range parent {
			if pp == out[i] {
				out = append(out, p)
			}
		}
	}
	return out
}

// stopTree sends SIGTERM to pid, waits up to 10 s, then kills what is
// left of its process group (xpaint made it a group leader).
func stopTree(pid int) {
	if pid <= 0 {
		return
	}
	syscall.Kill(pid, syscall.SIGTERM)
	for range 100 {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(data), ") Z ") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	time.Sleep(200 * time.Millisecond)
}

// offlineStation makes a data directory where one person has an offline
// password, as after a first online sign-in.
func offlineStation(dir string) error {
	kc, err := keychain.Open(keychain.Options{Dir: filepath.Join(dir, "keychain"), Now: time.Now, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	return kc.Create("operator", "bench-offline-1", user.Profile{Username: "operator", Name: "Olivia Operator", Roles: []string{"Operator"}})
}

// startXvfb starts an X server at the window's size on a free display.
func startXvfb() (display string, stop func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start Xvfb: %w (build/scripts/deps.sh installs it)", err)
	}
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		cmd.Process.Kill()
		return "", nil, fmt.Errorf("no display from Xvfb: %w", err)
	}
	return ":" + strings.TrimSpace(line), func() { cmd.Process.Kill(); cmd.Wait() }, nil
}
