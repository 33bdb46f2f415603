// Package pgtest gives tests a real PostgreSQL: the server named by
// LOGINSHELL_PG_DSN, or else a throwaway cluster of Debian's postgresql
// package that it starts itself in a temporary directory, on a unix socket
// there (no port to collide on), and removes when the test binary ends.
//
// PostgreSQL refuses to run as root; run as root (CI, a container), the
// cluster runs as the "postgres" user the package creates (or "nobody")
// through runuser. When the server binaries are missing, tests fail with
// "run build/scripts/deps.sh" when CI=true, and are skipped otherwise, so
// a laptop without PostgreSQL still runs every other test.
//
// The cluster runs with fsync off: it is thrown away, and the tests are
// about what the store's SQL does, not about the disk.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names an existing server to use instead of a throwaway cluster:
// a DSN of a user who may create databases (each test gets its own).
const EnvDSN = "LOGINSHELL_PG_DSN"

// shared is the test binary's server, started on first use.
var shared struct {
	sync.Mutex
	admin   string   // DSN with database "postgres" (or EnvDSN's)
	cluster *Cluster // nil when EnvDSN names the server
	err     error
	done    bool
}

// Main runs the tests and then removes the cluster DB started, if any.
// Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	shared.Lock()
	defer shared.Unlock()
	if shared.cluster != nil {
		if err := shared.cluster.remove(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// DB creates a new, empty database on the shared server and returns its
// DSN; it is dropped when tb ends. It fails or skips tb when there is no
// server (see the package doc).
func DB(tb testing.TB) string {
	tb.Helper()
	shared.Lock()
	if !shared.done {
		shared.done = true
		if dsn := os.Getenv(EnvDSN); dsn != "" {
			shared.admin = dsn
		} else {
			shared.cluster, shared.err = start()
			if shared.err == nil {
				shared.admin = shared.cluster.DSN("postgres")
			}
		}
	}
	admin, err := shared.admin, shared.err
	shared.Unlock()
	if err != nil {
		missing(tb, err)
	}
	return createDB(tb, admin, "")
}

// Clone creates a new database on the shared server as a copy of the
// database dsn names (made by DB, with no connection open to it) and
// returns its DSN; it is dropped when tb ends. Copying a filled database
// is much faster than filling a new one (benchmark fixtures).
func Clone(tb testing.TB, dsn string) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	DB(tb) // the server, started if need be
	shared.Lock()
	admin := shared.admin
	shared.Unlock()
	return createDB(tb, admin, cfg.Database)
}

// missing fails tb (CI) or skips it (elsewhere) for a server that could
// not be had.
func missing(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, errNoBinaries) && os.Getenv("CI") != "true" {
		tb.Skipf("pgtest: %v", err)
	}
	tb.Fatalf("pgtest: %v", err)
}

// createDB makes a database with a random name on the server admin names
// and returns the DSN of it.
func createDB(tb testing.TB, admin, template string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("pgtest: connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := "loginshell_test_" + hex.EncodeToString(b[:])
	create := `CREATE DATABASE ` + name
	if template != "" {
		create += ` TEMPLATE ` + pgx.Identifier{template}.Sanitize()
	}
	if _, err := conn.Exec(ctx, create); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// withDatabase is dsn with its database replaced.
func withDatabase(dsn, db string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		return u.String()
	}
	return dsn + " dbname=" + db // key=value: the last one wins
}

var errNoBinaries = errors.New("the PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed; run build/scripts/deps.sh")

// Cluster is a throwaway PostgreSQL cluster in a temporary directory,
// listening only on a unix socket there.
type Cluster struct {
	dir  string   // the temporary directory: data/, the socket, the log
	bin  string   // the server binaries' directory
	as   []string // the command prefix that runs as the cluster's owner
	port int
	user string // the database superuser
}

// NewCluster starts a cluster of tb's own, for tests that stop and start
// it; it is removed when tb ends.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := start()
	if err != nil {
		missing(tb, err)
	}
	tb.Cleanup(func() {
		if err := c.remove(); err != nil {
			tb.Error(err)
		}
	})
	return c
}

// StartCluster starts a throwaway cluster outside a test (a helper that
// serves one to other processes: build/scripts/pgcluster). Remove it
// when done.
func StartCluster() (*Cluster, error) { return start() }

// Remove stops the cluster's server and deletes its directory.
func (c *Cluster) Remove() error { return c.remove() }

// DSN is the key=value DSN of database db on the cluster.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", c.dir, c.port, c.user, db)
}

// CreateDB creates a new database on the cluster and returns its DSN.
func (c *Cluster) CreateDB(tb testing.TB) string {
	tb.Helper()
	return createDB(tb, c.DSN("postgres"), "")
}

// Stop stops the server (fast shutdown: sessions are ended).
func (c *Cluster) Stop() error {
	return c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop")
}

// Start starts the server again after Stop.
func (c *Cluster) Start() error {
	return c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "-o", c.options(), "start")
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) options() string {
	return fmt.Sprintf("-k %s -p %d -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000",
		c.dir, c.port)
}

// start initialises and starts a cluster.
func start() (*Cluster, error) {
	bin, err := binaries()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, port: 5432, user: "loginshell"}
	parent := ""
	var owner *user.User
	if os.Geteuid() == 0 {
		// The owner must reach the directory, and a unix socket path must
		// be short: /tmp, not the caller's TMPDIR.
		parent = "/tmp"
		for _, name := range []string{"postgres", "nobody"} {
			if u, err := user.Lookup(name); err == nil {
				owner = u
				break
			}
		}
		if owner == nil {
			return nil, errors.New("running as root and there is no postgres or nobody user to run PostgreSQL as")
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return nil, errors.New("running as root and runuser is missing (util-linux)")
		}
		c.as = []string{runuser, "-u", owner.Username, "--"}
	}
	if c.dir, err = os.MkdirTemp(parent, "pgtest-"); err != nil {
		return nil, err
	}
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			os.RemoveAll(c.dir)
			return nil, err
		}
	}
	if err := c.run("initdb", "-D", c.data(), "-U", c.user, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	if err := c.Start(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		os.RemoveAll(c.dir)
		return nil, fmt.Errorf("%w\nserver log:\n%s", err, log)
	}
	return c, nil
}

// remove stops the server and deletes the directory.
func (c *Cluster) remove() error {
	stopErr := c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	if _, err := os.Stat(filepath.Join(c.data(), "postmaster.pid")); err != nil {
		stopErr = nil // it was stopped already
	}
	return errors.Join(stopErr, os.RemoveAll(c.dir))
}

// run runs one of the server's programs as the cluster's owner.
func (c *Cluster) run(prog string, args ...string) error {
	argv := append(slices.Clone(c.as), filepath.Join(c.bin, prog))
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}

// binaries finds the server's programs: Debian keeps them in
// /usr/lib/postgresql/<version>/bin (the newest wins), elsewhere they are
// on PATH.
func binaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		ok := true
		for _, prog := range []string{"initdb", "pg_ctl", "postgres"} {
			if fi, err := os.Stat(filepath.Join(d, prog)); err != nil || fi.IsDir() {
				ok = false
			}
		}
		if ok {
			return d, nil
		}
	}
	return "", errNoBinaries
}

// ServerCPU is the CPU time, user and system, that the shared test
// server has used so far: its postmaster, the backends alive now and
// those it reaped. A benchmark takes it before and after to say what the
// database spent (Linux's /proc). ok is false for a server named by
// LOGINSHELL_PG_DSN, before the server started, or without /proc.
func ServerCPU() (time.Duration, bool) {
	shared.Lock()
	c := shared.cluster
	shared.Unlock()
	if c == nil {
		return 0, false
	}
	b, err := os.ReadFile(filepath.Join(c.data(), "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0, false
	}
	ticks, _, ok := procTicks(pm, true)
	if !ok {
		return 0, false
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == pm {
			continue
		}
		if t, parent, ok := procTicks(pid, false); ok && parent == pm {
			ticks += t
		}
	}
	const hz = 100 // USER_HZ, what /proc counts in on Linux
	return time.Duration(ticks) * time.Second / hz, true
}

// procTicks reads /proc/PID/stat: utime and stime (and the reaped
// children's, with reaped), and the parent's PID.
func procTicks(pid int, reaped bool) (ticks int64, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// The fields after the command, which is in parentheses and may hold
	// spaces: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 15 {
		return 0, 0, false
	}
	field := func(n int) int64 { v, _ := strconv.ParseInt(f[n-3], 10, 64); return v }
	ticks = field(14) + field(15)
	if reaped {
		ticks += field(16) + field(17)
	}
	return ticks, int(field(4)), true
}
