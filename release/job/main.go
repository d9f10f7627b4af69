// Package job is the release job (docs/release.md): it releases one site's code from git onto
// the shared file system, or rolls it back, following docs/release-layout.md. The trusted
// steps (fetch, checks, artifact, publish, switch, prune, database and user creation) run
// here; everything that executes the repository's code (its hooks, composer, the site's PHP
// during the database upgrade) runs in a bubblewrap sandbox (sandbox.go).
//
// It uses the standard library only: CodeBuild compiles it from the source the
// ReleasePipeline ships (release/embed.go).
package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Exit codes (docs/release.md).
const (
	exitOK     = 0
	exitFail   = 1 // failed; current untouched
	exitUsage  = 2 // bad input or configuration; nothing done
	exitLocked = 3 // another release or rollback of the site holds its lock
	exitLive   = 4 // the new release (or the rollback's target) is live, a step after the switch failed
)

const prog = "wpfleet-release"

type jobError struct {
	code int
	msg  string
}

func (e *jobError) Error() string { return e.msg }

func failf(format string, a ...any) error {
	return &jobError{code: exitFail, msg: fmt.Sprintf(format, a...)}
}

// Main runs the command line: `wpfleet-release [--settings FILE]` releases or rolls back;
// `sandbox-init` and `git-credential` are its helpers (run inside the sandbox, and by git).
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "sandbox-init":
			return sandboxInit(args[1:], stderr)
		case "git-credential":
			return gitCredential(args[1:], os.Stdin, stdout, stderr)
		}
	}
	settingsFile := ""
	switch {
	case len(args) == 0:
	case len(args) == 2 && args[0] == "--settings":
		settingsFile = args[1]
	default:
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	j := newJob(stdout, stderr)
	code := j.main(settingsFile)
	j.cleanup()
	return code
}

const usageText = `usage: wpfleet-release [--settings FILE]
  RELEASE_PATH, BRANCH, ACTION (release|rollback) come from the environment; every other
  setting from FILE (a JSON object of strings, the CodeBuild project's settings.json) or, without
  it, from the environment. The settings: docs/release.md.
`

// job is one run.
type job struct {
	cfg            *Config
	out, errw      io.Writer
	start          time.Time
	step           string
	priv           string   // private temporary directory (option files, index, sockets)
	work           []string // work paths under .wpfleet/tmp removed on exit
	oldID, newLive string
	lock           *os.File
	ctx            context.Context
	cancel         context.CancelCauseFunc
}

func newJob(out, errw io.Writer) *job {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &job{out: out, errw: errw, start: time.Now(), step: "start", ctx: ctx, cancel: cancel}
}

func (j *job) main(settingsFile string) int {
	stop := j.handleSignals()
	defer stop()
	err := j.run(settingsFile)
	if err == nil {
		return exitOK
	}
	return j.report(err)
}

// report prints the one-line reason and chooses the exit code: once the new release is live
// every failure says so and exits 4, whatever the step.
func (j *job) report(err error) int {
	code, msg := exitFail, err.Error()
	var je *jobError
	if errors.As(err, &je) {
		code = je.code
	}
	switch cause := context.Cause(j.ctx); {
	case code == exitUsage || code == exitLocked:
	case cause != nil:
		msg = fmt.Sprintf("step %s interrupted: %v", j.step, cause)
	default:
		msg = fmt.Sprintf("step %s failed: %s", j.step, msg)
	}
	where := ""
	switch {
	case j.newLive != "":
		code = exitLive
		where = " (release " + j.newLive + " is live)"
	case j.oldID != "":
		where = " (current still " + j.oldID + ")"
	}
	fmt.Fprintf(j.errw, "%s: error: %s%s\n", prog, msg, where)
	return code
}

// handleSignals turns SIGTERM, SIGINT and SIGHUP into a cancelled context: every process the
// job started is killed (process groups, the sandbox with its PID namespace), the job cleans
// up and says whether the new release is live.
func (j *job) handleSignals() func() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			j.cancel(fmt.Errorf("received %v", s))
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

func (j *job) run(settingsFile string) error {
	s, err := LoadSettings(settingsFile)
	if err != nil {
		return usage("%v", err)
	}
	if j.cfg, err = LoadConfig(s, os.Getenv); err != nil {
		return err
	}
	if err := j.preflight(); err != nil {
		return err
	}
	if j.priv, err = os.MkdirTemp(os.Getenv("TMPDIR"), prog+"."); err != nil {
		return failf("private temporary directory: %v", err)
	}
	j.stepf("lock")
	if err := j.takeLock(); err != nil {
		return err
	}
	j.checkpoint("locked")
	if j.oldID, err = currentID(j.siteDir()); err != nil {
		return err
	}
	if j.cfg.Action == "rollback" {
		return j.rollback()
	}
	return j.release()
}

func (j *job) cleanup() {
	for _, p := range j.work {
		if err := removeAll(p); err != nil {
			j.logf("warning: could not remove %s: %v", p, err)
		}
	}
	if j.priv != "" {
		_ = os.RemoveAll(j.priv)
	}
	if j.lock != nil {
		_ = j.lock.Close()
	}
}

func (j *job) logf(format string, a ...any) {
	fmt.Fprintf(j.errw, "%s: %s\n", prog, fmt.Sprintf(format, a...))
}

// stepf enters a step, logging the time so far (where a slow release spends its time).
func (j *job) stepf(name string) {
	j.step = name
	j.logf("%s: %s", j.elapsed(), name)
}

func (j *job) elapsed() string { return j.seconds() + "s" }

func (j *job) seconds() string {
	return strconv.FormatFloat(time.Since(j.start).Seconds(), 'f', 2, 64)
}

// checkpoint stops the job here when the fault drill asks (WPFLEET_FAULT_STOP_AT=NAME, from
// the environment only, never with a settings file), so a test can act at an exact point.
func (j *job) checkpoint(name string) {
	if j.cfg == nil || j.cfg.FaultStop != name {
		return
	}
	j.logf("stopped at checkpoint %s (WPFLEET_FAULT_STOP_AT)", name)
	// To this very thread: a signal to the process may be taken by another thread while this
	// one runs on past the checkpoint.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_ = syscall.Tgkill(os.Getpid(), syscall.Gettid(), syscall.SIGSTOP)
}

func (j *job) siteDir() string { return filepath.Join(j.cfg.Root, j.cfg.Site) }
func (j *job) metaDir() string { return filepath.Join(j.siteDir(), ".wpfleet") }
func (j *job) tmpDir() string  { return filepath.Join(j.metaDir(), "tmp") }
func (j *job) mirror() string  { return filepath.Join(j.metaDir(), "repo.git") }

// interrupted returns the cancellation cause as an error, if any.
func (j *job) interrupted() error {
	if c := context.Cause(j.ctx); c != nil {
		return failf("interrupted: %v", c)
	}
	return nil
}

func shortErr(b []byte) string {
	s := strings.TrimSpace(string(b))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 1500 {
		s = "..." + s[len(s)-1500:]
	}
	return s
}
