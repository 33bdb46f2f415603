// Command pgcluster serves a throwaway PostgreSQL cluster to tests that
// are not Go (frontend/e2e/stations.test.mjs): it starts one as
// internal/store/postgres/pgtest does, creates the database "loginshell",
// prints
//
//	dsn <key=value DSN>
//
// and then obeys one command per line of stdin — "stop" and "start" stop
// and start the server (printing "stopped" / "started", or "error: ..."),
// so a test can take the database away mid-flow. At the end of stdin, or
// on SIGINT/SIGTERM, it removes the cluster and exits.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/store/postgres/pgtest"
)

func main() {
	c, err := pgtest.StartCluster()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgcluster:", err)
		os.Exit(1)
	}
	code := serve(c)
	if err := c.Remove(); err != nil {
		fmt.Fprintln(os.Stderr, "pgcluster:", err)
		code = 1
	}
	os.Exit(code)
}

func serve(c *pgtest.Cluster) int {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgcluster:", err)
		return 1
	}
	_, err = admin.Exec(ctx, `CREATE DATABASE loginshell`)
	admin.Close(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgcluster: create the database:", err)
		return 1
	}
	fmt.Println("dsn", c.DSN("loginshell"))

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	for {
		select {
		case <-sigs:
			return 0
		case line, ok := <-lines:
			if !ok {
				return 0
			}
			var err error
			var done string
			switch line {
			case "stop":
				err, done = c.Stop(), "stopped"
			case "start":
				err, done = c.Start(), "started"
			default:
				err = fmt.Errorf("unknown command %q: want stop or start", line)
			}
			if err != nil {
				fmt.Println("error:", err)
				continue
			}
			fmt.Println(done)
		}
	}
}
