// Package runtime tests the wpfleet runtime with real processes from Debian's
// packages on loopback: MariaDB, php-fpm and nginx started with the very
// configuration files and entrypoints the images copy (image/), WordPress
// from Debian's wordpress package published into the release layout of
// docs/release-layout.md, the sync agent (cmd/wpfleet-sync) in local mode,
// and a FUSE file system (bench/cmd/slowfs) standing in for EFS.
//
// Needs root (FUSE mounts, /etc/wpfleet/wp-config.php, php-fpm workers as
// www-data) and the packages in .ci/apt-packages. Without them the tests skip
// with the reason, unless WPFLEET_REQUIRE_RUNTIME=1, when they fail.
// WPFLEET_RUNTIME_KEEP=1 keeps the temporary directory for inspection.
package runtime

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

var env struct {
	skip    string // why the runtime tests cannot run here
	repo    string
	tmp     string
	bins    wpstack.Binaries
	db      *wpstack.MariaDB
	syncBin string
	slowBin string
}

func TestMain(m *testing.M) {
	cleanup, err := setup()
	if err != nil {
		env.skip = err.Error()
	}
	code := m.Run()
	if cleanup != nil {
		cleanup()
	}
	os.Exit(code)
}

// need skips the test when the runtime cannot run here, or fails it when
// WPFLEET_REQUIRE_RUNTIME=1.
func need(t *testing.T) {
	t.Helper()
	if env.skip == "" {
		return
	}
	if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
		t.Fatalf("WPFLEET_REQUIRE_RUNTIME=1 but the runtime cannot run: %s", env.skip)
	}
	t.Skipf("runtime tests skipped: %s (install .ci/apt-packages, run as root; WPFLEET_REQUIRE_RUNTIME=1 turns this into a failure)", env.skip)
}

// setup prepares what every runtime test shares. On an error it has already
// undone what it did, and the returned cleanup is nil (a machine without the
// packages returns early with nothing to undo).
func setup() (cleanup func(), err error) {
	var undo []func()
	undoAll := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	defer func() {
		// The named result cleanup is already nil after "return nil, err":
		// undo through the local function, never through the result.
		if err != nil {
			undoAll()
		}
	}()
	if env.repo, err = wpstack.RepoRoot(); err != nil {
		return nil, err
	}
	var missing []string
	env.bins, missing = wpstack.FindBinaries()
	if os.Geteuid() != 0 {
		missing = append(missing, "root (FUSE mounts, /etc/wpfleet, php-fpm workers as www-data)")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		missing = append(missing, "/dev/fuse")
	}
	// Test hook (TestFreshMachine): behave as a machine without the packages.
	if v := os.Getenv("WPFLEET_RUNTIME_SIMULATE_MISSING"); v != "" {
		missing = append(missing, v)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing: %s", strings.Join(missing, ", "))
	}

	if env.tmp, err = os.MkdirTemp("", "wpfleet-runtime-"); err != nil {
		return nil, err
	}
	// php-fpm workers (www-data) and nginx workers must reach the trees.
	if err := os.Chmod(env.tmp, 0o755); err != nil {
		return nil, err
	}
	undo = append(undo, func() {
		if os.Getenv("WPFLEET_RUNTIME_KEEP") == "1" {
			fmt.Fprintln(os.Stderr, "kept", env.tmp)
			return
		}
		os.RemoveAll(env.tmp)
	})

	// The stub in every release requires /etc/wpfleet/wp-config.php, where
	// the php image puts image/php/wp-config.php.
	restore, err := wpstack.InstallPlatformConfig(env.repo)
	if err != nil {
		return nil, err
	}
	undo = append(undo, restore)

	bin := filepath.Join(env.tmp, "bin")
	env.syncBin, env.slowBin = filepath.Join(bin, "wpfleet-sync"), filepath.Join(bin, "slowfs")
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	for out, pkg := range map[string]string{env.syncBin: "./cmd/wpfleet-sync", env.slowBin: "./bench/cmd/slowfs"} {
		cmd := exec.Command(goBin, "build", "-o", out, pkg)
		cmd.Dir = env.repo
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %v: %s", pkg, err, b)
		}
	}

	if env.db, err = wpstack.StartMariaDB(env.bins, filepath.Join(env.tmp, "mariadb")); err != nil {
		return nil, err
	}
	undo = append(undo, env.db.Stop)
	return undoAll, nil
}

// containsAny reports which of the needles occur in haystack.
func containsAny(haystack []byte, needles map[string]string) []string {
	var found []string
	for name, v := range needles {
		if len(v) >= 8 && bytes.Contains(haystack, []byte(v)) {
			found = append(found, name)
		}
	}
	return found
}
