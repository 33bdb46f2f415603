package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The steps of a start-up at which pss.go measures memory, in order.
var memSteps = []struct{ key, name string }{
	{"started", "process started, before GTK"},
	{"mapped", "window mapped"},
	{"chrome", "chrome painted (floors: their page)"},
	{"final", "final screen"},
	{"idle", "idle, 10 s later"},
}

// memCols are the columns of the per-step table, in kB of PSS. The
// binary's columns are its resident pages (its own: nothing else maps
// it, so resident is proportional), split by the ELF section they hold.
var memCols = []struct{ key, name string }{
	{"text", "binary: code"},
	{"rodata", "binary: rodata"},
	{"pclntab", "binary: pclntab"},
	{"data", "binary: data, bss"},
	{"goheap", "Go heap"},
	{"anon", "other anon (C heap, stacks, Go runtime)"},
	{"libs", "shared libraries"},
	{"files", "other files (fonts, X shm, memfd)"},
	{"app", "app process"},
	{"web", "web process"},
	{"network", "network process"},
	{"total", "total"},
}

// memSample is one measurement: kB by column.
type memSample map[string]float64

// memRun is one start-up's samples by step.
type memRun map[string]memSample

// stepsPSS starts each variant under xpaint with gtkhold preloaded and
// measures PSS, split by mapping class, at each step of memSteps; rounds
// are interleaved like startup's. Not timed: the measurement itself
// holds the process at GTK's door and reads its page tables, so these
// runs give no start-up times.
func stepsPSS(rep *report, b binaries, work string, rounds int) error {
	display, stop, err := startXvfb()
	if err != nil {
		return err
	}
	defer stop()
	variants, err := apps(b, work, "steps-")
	if err != nil {
		return err
	}
	got := map[string][]memRun{}
	for r := range rounds {
		for i := range variants {
			v := variants[(i+r)%len(variants)]
			res, err := memOnce(b, display, v.args(r), filepath.Join(work, "steps-"+v.name+".log"), r == 0 && v.name == "offline")
			if err != nil {
				return fmt.Errorf("memory steps, %s, round %d: %w", v.name, r+1, err)
			}
			logf("memory steps %-7s round %d: started %5.1f, mapped %5.1f, chrome %5.1f, final %5.1f, idle %5.1f MB", v.name, r+1,
				res["started"]["total"]/1024, res["mapped"]["total"]/1024, res["chrome"]["total"]/1024, res["final"]["total"]/1024, res["idle"]["total"]/1024)
			got[v.name] = append(got[v.name], res)
		}
	}
	rep.Steps = got
	rep.StepsRounds = rounds
	return nil
}

// memOnce runs argv once (through env(1), which puts gtkhold in
// LD_PRELOAD: xpaint itself must not load it) and samples each step.
// With modules, it also reads which of loginshell's code is resident at
// idle, by module, into the run's "module:" keys.
func memOnce(b binaries, display string, argv []string, logPath string, modules bool) (memRun, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	heldR, heldW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	goR, goW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	env := append([]string{"env", "LD_PRELOAD=" + b.gtkhold, "GTKHOLD_FD=3", "GTKHOLD_WAIT_FD=4"}, argv...)
	cmd := exec.Command(b.xpaint, append([]string{strconv.Itoa(quietMS), "60000", "--"}, env...)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "XPAINT_PROBE=10,40") // in loginshell's dark header, below GTK's menu bar
	cmd.ExtraFiles = []*os.File{heldW, goR}
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	heldW.Close()
	goR.Close()
	defer heldR.Close()
	defer goW.Close()
	run := memRun{}
	pid := 0
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "pid ") {
		cmd.Wait()
		return nil, fmt.Errorf("xpaint said no pid (log: %s)", logPath)
	}
	pid, _ = strconv.Atoi(strings.TrimPrefix(sc.Text(), "pid "))
	defer stopTree(pid)
	// The app stops at gtk_init_check until it has been measured.
	held := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(heldR).ReadString('\n')
		if err == nil && line != "gtk\n" {
			err = fmt.Errorf("gtkhold said %q", line)
		}
		if err == nil {
			run["started"] = sampleTree(pid)
		}
		goW.Write([]byte{1})
		held <- err
	}()
	select {
	case err := <-held:
		if err != nil {
			cmd.Wait()
			return nil, fmt.Errorf("the app did not reach gtk_init_check: %w (log: %s)", err, logPath)
		}
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("the app did not reach gtk_init_check in 60 s (log: %s)", logPath)
	}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue // the app's own lines share the pipe
		}
		switch f[0] {
		case "map":
			run["mapped"] = sampleTree(pid)
		case "probe":
			run["chrome"] = sampleTree(pid)
		case "final":
			run["final"] = sampleTree(pid)
		case "timeout", "exited":
			cmd.Wait()
			return nil, fmt.Errorf("xpaint: %s %s (log: %s)", f[0], f[1], logPath)
		}
		if run["final"] != nil {
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	cmd.Wait()
	time.Sleep(idleAfter)
	run["idle"] = sampleTree(pid)
	if modules {
		byModule, err := residentCode(pid, b.loginshell, b.loginshellSyms)
		if err != nil {
			return nil, err
		}
		run["modules"] = byModule
	}
	return run, nil
}

// sampleTree measures pid (the app) by mapping class and its WebKit
// children by process.
func sampleTree(pid int) memSample {
	s := memSample{}
	for _, p := range descendants(pid) {
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", p))
		switch {
		case p == pid:
			appSample(p, exe, s)
		case strings.Contains(exe, "WebKitWebProcess"):
			s["web"] += pssOf(p)
		case strings.Contains(exe, "WebKitNetworkProcess"):
			s["network"] += pssOf(p)
		default:
			s["app"] += pssOf(p) // a helper the app started (none expected)
		}
	}
	s["total"] = s["app"] + s["web"] + s["network"]
	return s
}

// pssOf is a process's whole PSS in kB (smaps_rollup).
func pssOf(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
			kb, _ := strconv.ParseFloat(strings.Fields(rest)[0], 64)
			return kb
		}
	}
	return 0
}

// goArena is where Go's heap arenas live on linux/amd64: above 4 GiB
// (0xc000000000 before Go 1.26, a random 64 MB-aligned base since) and
// below the mmap area where glibc, GTK and the threads' stacks are
// placed, top down from about 0x7fxx_xxxx_xxxx.
const goArenaLo, goArenaHi = 1 << 32, 0x7f0000000000

// appSample splits the app's PSS by mapping (smaps); the binary's own
// mappings, file and bss alike, by the sections of its resident pages
// (pagemap).
func appSample(pid int, exe string, s memSample) {
	secs := sectionsOf(exe)
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return
	}
	var lo, hi uint64
	var name string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			a, b, _ := strings.Cut(f[0], "-")
			lo, _ = strconv.ParseUint(a, 16, 64)
			hi, _ = strconv.ParseUint(b, 16, 64)
			name = ""
			if len(f) >= 6 {
				name = strings.Join(f[5:], " ")
			}
			continue
		}
		if len(f) < 2 || f[0] != "Pss:" {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		s["app"] += kb
		switch {
		case secs.covers(lo, hi):
			for k, v := range residentBySection(pid, lo, hi, secs) {
				s[k] += v
			}
		case name == "" && lo >= goArenaLo && hi <= goArenaHi:
			s["goheap"] += kb
		case name == "" || strings.HasPrefix(name, "["):
			s["anon"] += kb
		case strings.Contains(filepath.Base(name), ".so"):
			s["libs"] += kb
		default:
			s["files"] += kb
		}
	}
}

// section is an allocated ELF section and the column its pages count in.
type section struct {
	lo, hi uint64
	col    string
}

type sections []section

// sectionsOf reads exe's allocated sections (a stripped binary keeps
// its section headers).
func sectionsOf(exe string) sections {
	f, err := elf.Open(exe)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out sections
	for _, sec := range f.Sections {
		if sec.Flags&elf.SHF_ALLOC == 0 || sec.Addr == 0 {
			continue
		}
		col := "rodata"
		switch {
		case sec.Flags&elf.SHF_EXECINSTR != 0:
			col = "text"
		case sec.Name == ".gopclntab":
			col = "pclntab"
		case sec.Flags&elf.SHF_WRITE != 0:
			col = "data"
		}
		out = append(out, section{sec.Addr, sec.Addr + sec.Size, col})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].lo < out[j].lo })
	return out
}

// covers: the mapping [lo, hi) lies within the binary's pages.
func (ss sections) covers(lo, hi uint64) bool {
	if len(ss) == 0 {
		return false
	}
	return lo >= ss[0].lo&^0xfff && hi <= (ss[len(ss)-1].hi+0xfff)&^0xfff
}

// col is the column of the page at addr: its first byte's section,
// else the section that starts in it.
func (ss sections) col(addr uint64) string {
	for _, s := range ss {
		if addr < s.hi && s.lo < addr+0x1000 {
			return s.col
		}
	}
	return "data"
}

// residentBySection counts the present pages of [lo, hi) in kB by the
// section column they hold, from /proc/PID/pagemap (bit 63: present).
func residentBySection(pid int, lo, hi uint64, ss sections) map[string]float64 {
	out := map[string]float64{}
	for addr, present := range presentPages(pid, lo, hi) {
		if present {
			out[ss.col(addr)] += 4
		}
	}
	return out
}

// presentPages reads pagemap for [lo, hi): address → present.
func presentPages(pid int, lo, hi uint64) map[uint64]bool {
	f, err := os.Open(fmt.Sprintf("/proc/%d/pagemap", pid))
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, (hi-lo)/0x1000*8)
	if _, err := f.ReadAt(buf, int64(lo/0x1000*8)); err != nil {
		return nil
	}
	out := make(map[uint64]bool, len(buf)/8)
	for i := range len(buf) / 8 {
		out[lo+uint64(i)*0x1000] = binary.LittleEndian.Uint64(buf[i*8:])>>63 == 1
	}
	return out
}

// residentCode is loginshell's resident code at idle by module (kB):
// the text pages present, each counted for the module of the symbol at
// its middle (syms: the same build with symbols; the layout is the same).
func residentCode(pid int, exe, syms string) (memSample, error) {
	out, err := exec.Command("go", "tool", "nm", "-size", "-sort", "address", syms).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool nm %s: %w", syms, err)
	}
	type sym struct {
		addr uint64
		mod  string
	}
	var text []sym
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || (f[2] != "T" && f[2] != "t") {
			continue
		}
		a, err := strconv.ParseUint(f[0], 16, 64)
		if err == nil {
			text = append(text, sym{a, module(strings.Join(f[3:], " "))})
		}
	}
	res := memSample{}
	for _, s := range sectionsOf(exe) {
		if s.col != "text" {
			continue
		}
		for addr, present := range presentPages(pid, s.lo&^0xfff, (s.hi+0xfff)&^0xfff) {
			mid := addr + 0x800
			i := sort.Search(len(text), func(i int) bool { return text[i].addr > mid }) - 1
			if i >= 0 {
				res["size:"+text[i].mod] += 4
				if present {
					res["resident:"+text[i].mod] += 4
				}
			}
		}
	}
	return res, nil
}
