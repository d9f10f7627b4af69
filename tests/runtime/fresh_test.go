package runtime

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestFreshMachine runs this test binary again as a machine without the
// Debian packages sees it (WPFLEET_RUNTIME_SIMULATE_MISSING makes setup
// report a missing package before it does anything): the runtime tests skip
// and say why, and with WPFLEET_REQUIRE_RUNTIME=1 they fail, in both cases
// without a panic (setup's cleanup used to call a nil func on this path).
func TestFreshMachine(t *testing.T) {
	if os.Getenv("WPFLEET_RUNTIME_SIMULATE_MISSING") != "" {
		t.Skip("already the simulated fresh machine")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := func(require string) (string, error) {
		cmd := exec.Command(self, "-test.run", "^TestMisconfiguredSite$", "-test.v")
		cmd.Env = append(os.Environ(), "WPFLEET_RUNTIME_SIMULATE_MISSING=nginx (Debian package nginx)", "WPFLEET_REQUIRE_RUNTIME="+require)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("")
	if err != nil || !strings.Contains(out, "--- SKIP: TestMisconfiguredSite") || !strings.Contains(out, "missing: nginx (Debian package nginx)") {
		t.Errorf("without the packages: want a skip naming what is missing, got %v:\n%s", err, out)
	}
	out, err = run("1")
	if err == nil || !strings.Contains(out, "--- FAIL: TestMisconfiguredSite") || !strings.Contains(out, "WPFLEET_REQUIRE_RUNTIME=1 but the runtime cannot run") {
		t.Errorf("without the packages and WPFLEET_REQUIRE_RUNTIME=1: want a failure, got %v:\n%s", err, out)
	}
	if strings.Contains(out, "panic") {
		t.Errorf("panic on a fresh machine:\n%s", out)
	}
}
