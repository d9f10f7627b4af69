package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fakeCodeBuild answers the calls the CI examples make (sts, codebuild start-build and
// batch-get-builds): the build runs for two polls, then ends with $FAKE_FINAL.
const fakeCodeBuild = `#!/bin/bash
set -eu
printf '%s\n' "$*" >>"$FAKE_DIR/calls.log"
case "$1 $2" in
"sts assume-role-with-web-identity")
	[[ " $* " == *" --web-identity-token $FAKE_OIDC_TOKEN "* ]] || { echo "bad token" >&2; exit 254; }
	printf 'ASIAFAKE\tfake-secret\tfake-session\n' ;;
"codebuild start-build")
	[[ -n ${AWS_ACCESS_KEY_ID:-} || -n ${FAKE_AMBIENT_CREDENTIALS:-} ]] || { echo "no credentials" >&2; exit 253; }
	echo "$4:build-1" ;;
"codebuild batch-get-builds")
	n=$(cat "$FAKE_DIR/polls" 2>/dev/null || echo 0)
	if [[ $* == *buildStatus* ]]; then
		echo $((n + 1)) >"$FAKE_DIR/polls"
		if ((n < 2)); then s=IN_PROGRESS; else s=$FAKE_FINAL; fi
		printf '%s\thttps://console.example/build-1\n' "$s"
	else
		printf 'BUILD\tCOMMAND_EXECUTION_ERROR: Error while executing command: bash wpfleet-release.sh. Reason: exit status 1\n'
	fi ;;
*) echo "fake aws: unexpected $*" >&2; exit 252 ;;
esac
`

type ciCase struct {
	name   string
	script string
	env    []string
}

func ciExamples(t *testing.T) []ciCase {
	t.Helper()
	var gh struct {
		Env  map[string]string `yaml:"env"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
				Run  string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	readYAML(t, "examples/ci/github-actions/release.yml", &gh)
	steps := gh.Jobs["release"].Steps
	if len(steps) != 2 || !strings.HasPrefix(steps[0].Uses, "aws-actions/configure-aws-credentials@") ||
		steps[0].With["role-to-assume"] != "${{ env.RELEASE_ROLE_ARN }}" || steps[1].Run == "" {
		t.Fatalf("GitHub workflow steps: %+v", steps)
	}
	for _, k := range []string{"AWS_REGION", "RELEASE_ROLE_ARN", "PROJECT_NAME", "SITE"} {
		if gh.Env[k] == "" {
			t.Fatalf("GitHub workflow env lacks %s", k)
		}
	}
	var cc struct {
		Jobs map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Steps       []struct {
				Run struct {
					Command string `yaml:"command"`
				} `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	readYAML(t, "examples/ci/circleci/config.yml", &cc)
	job := cc.Jobs["release"]
	if len(job.Steps) != 1 || !strings.Contains(job.Steps[0].Run.Command, `--web-identity-token "$CIRCLE_OIDC_TOKEN_V2"`) {
		t.Fatalf("CircleCI job steps: %+v", job.Steps)
	}
	return []ciCase{
		{"github-actions", steps[1].Run, []string{"ACTION=release", "REF=0123456789abcdef", "FAKE_AMBIENT_CREDENTIALS=1"}},
		{"circleci", job.Steps[0].Run.Command, []string{"ACTION=release", "REF_PARAM=", "CIRCLE_SHA1=0123456789abcdef",
			"CIRCLE_BUILD_NUM=7", "CIRCLE_OIDC_TOKEN_V2=oidc-token", "AWS_REGION=eu-west-1"}},
	}
}

func readYAML(t *testing.T, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

// TestCIExamples runs the shell of both CI examples against a fake AWS CLI: they start the
// build with the site, ref and action overrides, wait for it, and fail when it fails.
func TestCIExamples(t *testing.T) {
	need(t, "bash", "shellcheck")
	for _, ex := range ciExamples(t) {
		p := filepath.Join(t.TempDir(), ex.name+".sh")
		writeFile(t, p, "#!/usr/bin/env bash\n"+ex.script, 0o755)
		// SC2154: the variables come from the CI service.
		if out, err := exec.Command("shellcheck", "--exclude=SC2154", p).CombinedOutput(); err != nil {
			t.Fatalf("%s script: shellcheck: %v\n%s", ex.name, err, out)
		}
		for _, final := range []string{"SUCCEEDED", "FAILED", "TIMED_OUT"} {
			t.Run(ex.name+"/"+final, func(t *testing.T) {
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, "bin", "aws"), fakeCodeBuild, 0o755)
				cmd := exec.Command("bash", "-c", ex.script)
				cmd.Env = append([]string{"PATH=" + filepath.Join(dir, "bin") + ":" + os.Getenv("PATH"),
					"FAKE_DIR=" + dir, "FAKE_FINAL=" + final, "FAKE_OIDC_TOKEN=oidc-token",
					"PROJECT_NAME=prod-wordpress-release", "SITE=blog", "RELEASE_ROLE_ARN=arn:aws:iam::123456789012:role/ci",
					"POLL_SECONDS=0", "MAX_MINUTES=5"}, ex.env...)
				out, err := cmd.CombinedOutput()
				if (final == "SUCCEEDED") != (err == nil) {
					t.Fatalf("build %s: CI step exit %v\n%s", final, err, out)
				}
				if final != "SUCCEEDED" && !strings.Contains(string(out), "ended "+final+": BUILD COMMAND_EXECUTION_ERROR") {
					t.Fatalf("failure output does not say why:\n%s", out)
				}
				calls, _ := os.ReadFile(filepath.Join(dir, "calls.log"))
				want := "codebuild start-build --project-name prod-wordpress-release --environment-variables-override " +
					"name=RELEASE_PATH,value=blog,type=PLAINTEXT name=BRANCH,value=0123456789abcdef,type=PLAINTEXT " +
					"name=ACTION,value=release,type=PLAINTEXT --query build.id --output text"
				if !strings.Contains(string(calls), want+"\n") {
					t.Fatalf("start-build call not found; calls:\n%s", calls)
				}
				if n := strings.Count(string(calls), "codebuild batch-get-builds --ids prod-wordpress-release:build-1 --query builds[0].[buildStatus, logs.deepLink]"); n != 3 {
					t.Fatalf("polled %d times, want 3:\n%s", n, calls)
				}
			})
		}
	}
}
