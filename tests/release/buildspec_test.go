package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wpfleet/wpfleet/release"
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

func readBuildspec(t *testing.T, text string) buildspec {
	t.Helper()
	var bs buildspec
	if err := yaml.Unmarshal([]byte(text), &bs); err != nil {
		t.Fatalf("buildspec.yml: %v", err)
	}
	return bs
}

func (bs buildspec) all(ph string) string { return strings.Join(bs.Phases[ph].Commands, "\n") }

// TestBuildspec: release/buildspec.yml is a v0.2 buildspec that installs the job's tools
// (bubblewrap among them), checks the source against the digest the project pins, builds the
// job with the Go version its source declares, mounts EFS with TLS and IAM through the access
// point and runs the job with the settings file; every command is valid, shellcheck-clean
// bash.
func TestBuildspec(t *testing.T) {
	bs := readBuildspec(t, release.Buildspec())
	if bs.Version != "0.2" || bs.Env.Shell != "bash" {
		t.Fatalf("version %q shell %q, want 0.2 and bash", bs.Version, bs.Env.Shell)
	}
	rv := bs.Phases["install"].RuntimeVersions
	if rv["golang"] != release.GoVersion || rv["php"] == "" {
		t.Fatalf("runtime-versions %v: want golang %s (the source's go.mod) and php", rv, release.GoVersion)
	}
	if !strings.Contains(bs.all("install"), " bubblewrap") || !strings.Contains(bs.all("install"), "mariadb105") {
		t.Fatalf("the install phase does not install bubblewrap and the database client:\n%s", bs.all("install"))
	}
	pre := bs.all("pre_build")
	for _, want := range []string{
		`echo "` + release.DigestPlaceholder + `  SHA256SUMS" | sha256sum --check --strict --quiet -`,
		`mount -t efs -o tls,iam,accesspoint="$ap" "$fs":/ "$root"`,
		"truststore.pki.rds.amazonaws.com",
		"go build -trimpath -o /opt/wpfleet-release/wpfleet-release ./release/cmd/wpfleet-release",
	} {
		if !strings.Contains(pre, want) {
			t.Fatalf("pre_build lacks %q:\n%s", want, pre)
		}
	}
	if !strings.Contains(bs.all("build"), `/opt/wpfleet-release/wpfleet-release --settings "$CODEBUILD_SRC_DIR/settings.json"`) {
		t.Fatalf("build phase: %q", bs.all("build"))
	}
	for k := range bs.Env.Variables {
		if k != "ACTION" {
			t.Errorf("buildspec variable %s: the job's settings belong in settings.json, not in variables a build can override", k)
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

// TestBuildspecSourceCheckAndBuild runs the buildspec's own pre_build commands that check and
// build the source, on a source made the way the ReleasePipeline makes it: they build the job
// from it, and refuse a source whose file or SHA256SUMS differ from what the digest pins (an
// older version of the source object, or a changed one). The source's Go code is vetted with
// its declared Go version (vet reports standard library symbols newer than that).
func TestBuildspecSourceCheckAndBuild(t *testing.T) {
	need(t, "go", "sha256sum", "bash")
	files, digest := release.Source(release.Files(), `{"WPFLEET_ENV":"test"}`)
	bs := readBuildspec(t, release.BuildspecFor(release.Buildspec(), digest))
	cmds := bs.Phases["pre_build"].Commands
	if len(cmds) < 2 {
		t.Fatalf("pre_build: %v", cmds)
	}
	write := func(files map[string]string) (src, out string) {
		src, out = t.TempDir(), t.TempDir()
		for name, body := range files {
			writeFile(t, filepath.Join(src, filepath.FromSlash(name)), body, 0o644)
		}
		return src, out
	}
	runPre := func(src, out string) ([]byte, error) {
		check := strings.ReplaceAll(cmds[0]+"\n"+cmds[1], "/opt/wpfleet-release", out)
		cmd := exec.Command("bash", "-e", "-c", check)
		cmd.Env = append(os.Environ(), "CODEBUILD_SRC_DIR="+src)
		return cmd.CombinedOutput()
	}
	src, out := write(files)
	if b, err := runPre(src, out); err != nil {
		t.Fatalf("the buildspec does not build the shipped source: %v\n%s", err, b)
	}
	if o, err := exec.Command(filepath.Join(out, "wpfleet-release"), "--help").CombinedOutput(); !strings.Contains(string(o), "usage: wpfleet-release") {
		t.Fatalf("built program: %v %s", err, o)
	}
	vet := exec.Command("go", "vet", "./...")
	vet.Dir = filepath.Join(src, "src")
	vet.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOPROXY=off", "GOWORK=off")
	if b, err := vet.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the shipped source (go %s): %v\n%s", release.GoVersion, err, b)
	}
	// A changed file, or a whole older source with its own SHA256SUMS: refused.
	changed := map[string]string{}
	for k, v := range files {
		changed[k] = v
	}
	changed["wp-update-db.php"] += "// changed\n"
	src, out = write(changed)
	if b, err := runPre(src, out); err == nil || !strings.Contains(string(b), "FAILED") {
		t.Fatalf("a changed file passed the check: %v\n%s", err, b)
	}
	older, _ := release.Source(release.Files(), `{"WPFLEET_ENV":"older"}`)
	src, out = write(older)
	if b, err := runPre(src, out); err == nil || !strings.Contains(string(b), "not the one this project was deployed with") {
		t.Fatalf("another source passed the check: %v\n%s", err, b)
	}
}
