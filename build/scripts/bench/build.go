package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// binaries are what the start-up runs start.
type binaries struct {
	// vanilla is Wails' vanilla template as `wails init -t vanilla`
	// writes it, unmodified; bare is that template reduced to what it
	// shows, at loginshell's window size (bare/).
	loginshell, bare, vanilla, xpaint string
	// gtkhold is the LD_PRELOAD library that holds an app at GTK's door
	// for the memory steps (pss.go).
	gtkhold string
	// loginshellSyms and bareSyms keep their symbols, for the size report.
	loginshellSyms, bareSyms string
}

// goFlags are loginshell's production flags (Makefile, `wails build`):
// the same for the floor.
var goFlags = []string{"-tags", "desktop,production,webkit2_41", "-trimpath"}

func buildAll(work string) (binaries, error) {
	// The binary embeds the chrome as built; without it the window ends at
	// its first start ("no index.html"), which reads like a start-up failure.
	if _, err := os.Stat("frontend/dist/index.html"); err != nil {
		return binaries{}, fmt.Errorf("the chrome is not built (frontend/dist/index.html): run `make frontend` first, as `make bench` does")
	}
	b := binaries{
		loginshell: filepath.Join(work, "loginshell"), bare: filepath.Join(work, "bare"), vanilla: filepath.Join(work, "vanilla"),
		xpaint: filepath.Join(work, "xpaint"), gtkhold: filepath.Join(work, "gtkhold.so"),
		loginshellSyms: filepath.Join(work, "loginshell.syms"), bareSyms: filepath.Join(work, "bare.syms"),
	}
	for _, c := range []struct{ out, pkg, ldflags string }{
		{b.loginshell, ".", "-w -s"}, {b.bare, "./build/scripts/bench/bare", "-w -s"},
		{b.loginshellSyms, ".", ""}, {b.bareSyms, "./build/scripts/bench/bare", ""},
	} {
		args := append(append([]string{"build"}, goFlags...), "-ldflags", c.ldflags, "-o", c.out, c.pkg)
		if err := sh("go", args...); err != nil {
			return b, err
		}
	}
	if err := sh("cc", "-O2", "-Wall", "-o", b.xpaint, "build/scripts/bench/xpaint/xpaint.c", "-lX11", "-lXdamage"); err != nil {
		return b, fmt.Errorf("%w (libx11-dev and libxdamage-dev: build/scripts/deps.sh)", err)
	}
	if err := sh("cc", "-O2", "-Wall", "-shared", "-fPIC", "-o", b.gtkhold, "build/scripts/bench/gtkhold/gtkhold.c", "-ldl"); err != nil {
		return b, err
	}
	if err := buildVanilla(filepath.Join(work, "vanilla-src"), b.vanilla); err != nil {
		return b, err
	}
	for _, bin := range []string{b.loginshell, b.bare, b.vanilla} {
		if err := install(bin); err != nil {
			return b, err
		}
	}
	return b, nil
}

// install rewrites bin as an installer does, with write(2) in chunks of
// installChunk. ext4 (Linux 6.16 and later) keeps a written file's page
// cache in folios as large as the writes, up to 2 MB, and a fault maps
// the whole 64 KB fault-around window or the whole folio: the Go linker's
// output (written through a memory map) or one 24 MB write(2) had
// loginshell's every page of code, rodata and pclntab mapped at the
// process's first instructions, 22.8 MB of PSS, against 14.8 MB for the
// same file written in 64 KB chunks and about 15 MB for it read back
// from disk after its pages were dropped (posix_fadvise DONTNEED: what a
// station sees after a reboot). Floors are installed the same way.
func install(bin string) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	tmp := bin + ".installing"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n := min(len(data), installChunk)
		if _, err := f.Write(data[:n]); err != nil {
			f.Close()
			return err
		}
		data = data[n:]
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Remove(bin); err != nil {
		return err
	}
	return os.Rename(tmp, bin)
}

// installChunk is install's write size: between tar's 10 KB records
// and cp's 128 KB, and what a cold start reads (see install).
const installChunk = 64 << 10

// wailsCLI is the Wails CLI at go.mod's version, as the Makefile runs it.
var wailsCLI = []string{"run", "github.com/wailsapp/wails/v2/cmd/wails@v2.11.0"}

// buildVanilla makes Wails' vanilla template in dir with `wails init`,
// builds its frontend with Vite and the template's Go program with
// loginshell's tags and flags into out. The template's own package.json
// asks for Vite 3, which would be fetched from the network; it is built
// with loginshell's Vite (frontend/node_modules), the same bundler, so
// the floor is the template's files as they are.
func buildVanilla(dir, out string) error {
	if err := sh("go", append(wailsCLI, "init", "-n", "vanilla", "-t", "vanilla", "-d", dir)...); err != nil {
		return err
	}
	vite, err := filepath.Abs("frontend/node_modules/vite/bin/vite.js")
	if err != nil {
		return err
	}
	build := exec.Command("node", vite, "build")
	build.Dir = filepath.Join(dir, "frontend")
	if o, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("vite build of the vanilla template: %w\n%s (make deps installs the frontend's packages)", err, o)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	gobuild := exec.Command("go", append(append([]string{"build"}, goFlags...), "-ldflags", "-w -s", "-o", abs, ".")...)
	gobuild.Dir = dir
	if o, err := gobuild.CombinedOutput(); err != nil {
		return fmt.Errorf("go build of the vanilla template: %w\n%s", err, o)
	}
	return nil
}

func sh(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return nil
}

func output(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// machine names the CPU, the cores and the memory.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(data), "\n", 2)[0], "MemTotal:"), "%d", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%s, %d cores%s, %s", cpu, runtime.NumCPU(), mem, runtime.Version())
}

func commit() string {
	c := output("git", "rev-parse", "--short", "HEAD")
	if c == "" {
		return "unknown"
	}
	if output("git", "status", "--porcelain", "--untracked-files=no") != "" {
		c += " (with uncommitted changes)"
	}
	return c
}
