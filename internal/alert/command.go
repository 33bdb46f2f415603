package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"time"

	"loginshell/internal/audit"
)

// CommandTimeout is how long an alert_command may run before it is
// killed.
const CommandTimeout = 10 * time.Second

// commandOutput bounds what of a failed command's output goes into the
// log.
const commandOutput = 2 << 10

// Command runs the station's alert_command for each alert it raises:
// the setting split into program and arguments at white space
// (strings.Fields), run without a shell (no quoting, no variables, no
// redirection: a program that needs them is a script of its own), the
// alert's audit entry as JSON on its stdin (the JSON of `audit show
// --json`). It is killed after Timeout. Its failure (it could not start,
// exited non-zero or timed out) is logged, never returned to the
// signature.
//
// The setting is a shell key (settings.AlertCommand): pages can read it
// but not change it, so no page chooses what this runs.
type Command struct {
	// Setting returns the command line as set now ("" runs nothing); it
	// is read at each alert, so a change applies to the next one.
	Setting func() string
	// Log receives a command's failure (default: discarded).
	Log *slog.Logger
	// Timeout kills a command that runs longer (default CommandTimeout).
	Timeout time.Duration
}

// Alert runs the command for e in the background and returns at once:
// the signature engine calls it under a signer's answer.
func (c Command) Alert(e audit.Entry) {
	go func() { _ = c.Run(context.Background(), e) }()
}

// Run runs the command for e and waits for it, up to the timeout. It
// returns (and logs) its failure; nil when it succeeded or none is set.
func (c Command) Run(ctx context.Context, e audit.Entry) error {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var line string
	if c.Setting != nil {
		line = c.Setting()
	}
	argv := strings.Fields(line)
	if len(argv) == 0 {
		return nil
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = CommandTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	input, err := json.Marshal(e)
	if err != nil {
		return c.failed(log, argv[0], e, fmt.Errorf("encode the alert: %w", err), nil)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(append(input, '\n'))
	var out limited
	cmd.Stdout, cmd.Stderr = &out, &out
	// A child that keeps the pipes open after the kill does not hold Run.
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("still running after %v; killed", timeout)
	}
	if err != nil {
		return c.failed(log, argv[0], e, err, out.Bytes())
	}
	return nil
}

// failed logs a command's failure and returns it.
func (c Command) failed(log *slog.Logger, program string, e audit.Entry, err error, output []byte) error {
	err = fmt.Errorf("alert_command %s: %w", program, err)
	log.Error("alert_command failed; the alert is in the audit trail", "alert", e.Seq, "err", err,
		"output", strings.TrimSpace(string(output)))
	return err
}

// limited keeps the first commandOutput bytes written to it.
type limited struct{ bytes.Buffer }

func (l *limited) Write(p []byte) (int, error) {
	if room := commandOutput - l.Len(); room > 0 {
		l.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
