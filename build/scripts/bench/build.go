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
	loginshell, bare, xpaint string
	// loginshellSyms and bareSyms keep their symbols, for the size report.
	loginshellSyms, bareSyms string
}

// goFlags are loginshell's production flags (Makefile, `wails build`):
// the same for the floor.
var goFlags = []string{"-tags", "desktop,production,webkit2_41", "-trimpath"}

func buildAll(work string) (binaries, error) {
	b := binaries{
		loginshell: filepath.Join(work, "loginshell"), bare: filepath.Join(work, "bare"), xpaint: filepath.Join(work, "xpaint"),
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
	return b, nil
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
