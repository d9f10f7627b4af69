package job

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// command is one process the job runs.
type command struct {
	argv    []string
	env     []string // nil: the job's environment
	dir     string
	stdin   io.Reader
	stdout  io.Writer // nil: captured and returned
	stderr  io.Writer // besides the captured tail
	timeout time.Duration
	// umask, when set, is the file mode creation mask the process starts with.
	umask string
	// stall kills the process when it writes nothing to stderr for this long (a remote that
	// stopped sending; git prints progress while data flows).
	stall time.Duration
}

// procError says how a process ended.
type procError struct {
	argv0    string
	code     int // exit status, -1 when killed
	timedOut bool
	stalled  bool
	stall    time.Duration
	timeout  time.Duration
	stderr   []byte
	err      error
}

func (e *procError) Error() string {
	var what string
	switch {
	case e.stalled:
		what = fmt.Sprintf("stalled: no progress for %s", e.stall)
	case e.timedOut:
		what = fmt.Sprintf("ran longer than %s", e.timeout)
	case e.code >= 0:
		what = fmt.Sprintf("exited %d", e.code)
	default:
		what = e.err.Error()
	}
	if s := shortErr(e.stderr); s != "" {
		return e.argv0 + " " + what + ": " + s
	}
	return e.argv0 + " " + what
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
	max int
	w   io.Writer
	hit atomic.Int64 // unix nanoseconds of the last write
}

func (t *tail) Write(p []byte) (int, error) {
	t.hit.Store(time.Now().UnixNano())
	t.mu.Lock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	t.mu.Unlock()
	if t.w != nil {
		_, _ = t.w.Write(p)
	}
	return len(p), nil
}

func (t *tail) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.buf...)
}

// run runs c in its own process group and returns its stdout (when not redirected). The
// whole group is killed when ctx ends, the timeout passes or the process stalls, and when
// the job itself dies (parent-death signal).
func run(ctx context.Context, c command) ([]byte, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	argv := c.argv
	if c.umask != "" {
		argv = append([]string{"/bin/sh", "-c", "umask " + c.umask + ` && exec "$@"`, "sh"}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir, cmd.Stdin = c.env, c.dir, c.stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	if c.stdout != nil {
		cmd.Stdout = c.stdout
	} else {
		cmd.Stdout = &out
	}
	errTail := &tail{max: 8 << 10, w: c.stderr}
	errTail.hit.Store(time.Now().UnixNano())
	cmd.Stderr = errTail
	if err := cmd.Start(); err != nil {
		return nil, &procError{argv0: c.argv[0], code: -1, err: err}
	}
	stalled := watchStall(ctx, errTail, c.stall, stop)
	err := cmd.Wait()
	// Whatever the group left running (a background process of the command) goes too.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if err == nil {
		return out.Bytes(), nil
	}
	pe := &procError{argv0: c.argv[0], code: -1, stderr: errTail.bytes(), err: err, stall: c.stall, timeout: c.timeout}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Exited() {
		pe.code = ee.ExitCode()
	}
	pe.stalled = stalled.Load()
	pe.timedOut = !pe.stalled && errors.Is(ctx.Err(), context.DeadlineExceeded)
	return out.Bytes(), pe
}

func watchStall(ctx context.Context, t *tail, stall time.Duration, stop context.CancelCauseFunc) *atomic.Bool {
	var stalled atomic.Bool
	if stall <= 0 {
		return &stalled
	}
	go func() {
		tick := time.NewTicker(stall / 10)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if time.Since(time.Unix(0, t.hit.Load())) > stall {
					stalled.Store(true)
					stop(errors.New("stalled"))
					return
				}
			}
		}
	}()
	return &stalled
}
