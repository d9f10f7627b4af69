package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type buildspec struct {
	Version string `yaml:"version"`
	Env     struct {
		Shell     string            `yaml:"shell"`
		Variables map[string]string `yaml:"variables"`
	} `yaml:"env"`
	Phases map[string]struct {
		RuntimeVersions map[string]string `yaml:"runtime-versions"`
		Commands        []string          `yaml:"commands"`
	} `yaml:"phases"`
}

// TestBuildspec: release/buildspec.yml is a v0.2 buildspec that mounts EFS with TLS and IAM
// through the access point and runs the release script from the build's source; every
// command is valid, shellcheck-clean bash.
func TestBuildspec(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "release", "buildspec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var bs buildspec
	if err := yaml.Unmarshal(b, &bs); err != nil {
		t.Fatalf("buildspec.yml: %v", err)
	}
	if bs.Version != "0.2" || bs.Env.Shell != "bash" {
		t.Fatalf("version %q shell %q, want 0.2 and bash", bs.Version, bs.Env.Shell)
	}
	for _, ph := range []string{"install", "pre_build", "build"} {
		if len(bs.Phases[ph].Commands) == 0 {
			t.Fatalf("phase %s has no commands", ph)
		}
	}
	all := func(ph string) string { return strings.Join(bs.Phases[ph].Commands, "\n") }
	if !strings.Contains(all("pre_build"), `mount -t efs -o tls,iam,accesspoint="$EFS_ACCESS_POINT_ID" "$EFS_FILE_SYSTEM_ID":/ "$WPFLEET_SITES_ROOT"`) {
		t.Fatalf("pre_build does not mount the access point with TLS and IAM:\n%s", all("pre_build"))
	}
	if bs.Env.Variables["WPFLEET_SITES_ROOT"] != "/mnt/sites" {
		t.Fatalf("WPFLEET_SITES_ROOT = %q, want /mnt/sites", bs.Env.Variables["WPFLEET_SITES_ROOT"])
	}
	if all("build") != `bash "$CODEBUILD_SRC_DIR/wpfleet-release.sh"` {
		t.Fatalf("build phase: %q", all("build"))
	}
	if !strings.Contains(all("install"), "truststore.pki.rds.amazonaws.com") || bs.Env.Variables["DB_TLS_CA"] == "" {
		t.Fatal("the install phase does not fetch the RDS CA bundle named by DB_TLS_CA")
	}
	for _, f := range []string{"wpfleet-release.sh", "git-credential-wpfleet", "wp-update-db.php"} {
		if _, err := os.Stat(filepath.Join(repoRoot, "release", f)); err != nil {
			t.Fatalf("the job needs release/%s: %v", f, err)
		}
	}
	var script strings.Builder
	script.WriteString("#!/usr/bin/env bash\n")
	for _, ph := range []string{"install", "pre_build", "build", "post_build"} {
		for _, c := range bs.Phases[ph].Commands {
			if out, err := exec.Command("bash", "-n", "-c", c).CombinedOutput(); err != nil {
				t.Fatalf("%s command %q: %v %s", ph, c, err, out)
			}
			script.WriteString(c + "\n")
		}
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		unavailable(t, "shellcheck is not installed")
	}
	p := filepath.Join(t.TempDir(), "buildspec.sh")
	writeFile(t, p, script.String(), 0o755)
	// SC2154: the variables come from CodeBuild.
	if out, err := exec.Command("shellcheck", "--exclude=SC2154", p).CombinedOutput(); err != nil {
		t.Fatalf("buildspec commands: %v\n%s", err, out)
	}
}
