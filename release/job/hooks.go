package job

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
)

var regexpSHA = regexp.MustCompile(`^[0-9a-f]{64}$`)

// runHooks runs the repository's build steps in the sandbox, in the new tree (writable at
// /build, the only part of the file system they can write), each within HOOK_TIMEOUT:
// `composer install --no-dev` when composer.json is at the root, then .wpfleet/hooks/build.
func (j *job) runHooks(r *newRelease) error {
	if !r.info.hooks {
		return nil
	}
	j.stepf("hooks")
	r.hooks = []string{}
	if fi, err := os.Lstat(filepath.Join(r.tree, "composer.json")); err == nil && fi.Mode().IsRegular() {
		j.logf("hook: composer install --no-dev (sandboxed)")
		err := j.sandbox(j.ctx, sandboxRun{dir: r.tree, writable: true, proxy: true, timeout: j.cfg.HookTimeout,
			env:  []string{"COMPOSER_NO_INTERACTION=1", "COMPOSER_HOME=/home/build/.composer"},
			argv: []string{"composer", "install", "--no-dev", "--no-interaction", "--optimize-autoloader", "--no-progress"}})
		if err != nil {
			return j.hookFailed("'composer install --no-dev'", err)
		}
		r.hooks = append(r.hooks, "composer")
	}
	build := filepath.Join(r.tree, ".wpfleet", "hooks", "build")
	if fi, err := os.Lstat(build); err == nil {
		if !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
			return failf(".wpfleet/hooks/build must be an executable file (git update-index --chmod=+x)")
		}
		j.logf("hook: .wpfleet/hooks/build (sandboxed)")
		err := j.sandbox(j.ctx, sandboxRun{dir: r.tree, writable: true, proxy: true, timeout: j.cfg.HookTimeout,
			env: []string{"WPFLEET_SITE=" + j.cfg.Site, "WPFLEET_ENV=" + j.cfg.Env, "WPFLEET_REF=" + j.cfg.Ref,
				"WPFLEET_COMMIT=" + r.commit, "WPFLEET_RELEASE_ID=" + r.id},
			argv: []string{"./.wpfleet/hooks/build"}})
		if err != nil {
			return j.hookFailed(".wpfleet/hooks/build", err)
		}
		r.hooks = append(r.hooks, "build")
	}
	return nil
}

func (j *job) hookFailed(name string, err error) error {
	if ierr := j.interrupted(); ierr != nil {
		return ierr
	}
	var pe *procError
	if errors.As(err, &pe) {
		switch {
		case pe.timedOut:
			return failf("hook %s failed (exit 124: it ran longer than HOOK_TIMEOUT=%s)", name, j.cfg.HookTimeout)
		case pe.code >= 0:
			return failf("hook %s failed (exit %d)", name, pe.code)
		}
	}
	return failf("hook %s failed: %v", name, err)
}
