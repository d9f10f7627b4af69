package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/program"
)

// RequirePulumiCLIEnv makes the CLI test fail instead of skipping when the
// pulumi binary is not on PATH (CI sets it; .ci/run builds the CLI).
const RequirePulumiCLIEnv = "WPFLEET_REQUIRE_PULUMI_CLI"

// pulumiCLI returns the path of the real Pulumi CLI, or skips (fails with
// WPFLEET_REQUIRE_PULUMI_CLI=1) saying why.
func pulumiCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("pulumi")
	if err == nil {
		return path
	}
	why := "the Pulumi CLI is not on PATH (build it: see .ci/run, " +
		"`go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` in a module requiring pkg/v3 v3.274.1)"
	if os.Getenv(RequirePulumiCLIEnv) == "1" {
		t.Fatalf("%s is 1 but %s", RequirePulumiCLIEnv, why)
	}
	t.Skip(why)
	return ""
}

// cliProject is a temporary copy of the project files the CLI reads and
// writes, with a local file backend and its own PULUMI_HOME.
type cliProject struct {
	t       *testing.T
	bin     string
	dir     string
	env     []string
	backend string
}

func newCLIProject(t *testing.T, bin string, stacks ...string) *cliProject {
	root := t.TempDir()
	p := &cliProject{t: t, bin: bin, dir: filepath.Join(root, "project"), backend: filepath.Join(root, "state")}
	for _, d := range []string{p.dir, p.backend, filepath.Join(root, "home")} {
		require.NoError(t, os.MkdirAll(d, 0o700))
	}
	for _, f := range append([]string{"Pulumi.yaml"}, stackFiles(stacks)...) {
		b, err := os.ReadFile(filepath.Join(repoRoot(), f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(p.dir, f), b, 0o600))
	}
	p.env = append(cleanEnv(),
		"PULUMI_HOME="+filepath.Join(root, "home"),
		"PULUMI_CONFIG_PASSPHRASE=correct horse battery staple",
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"NO_COLOR=1",
	)
	return p
}

func stackFiles(stacks []string) []string {
	var out []string
	for _, s := range stacks {
		out = append(out, "Pulumi."+s+".yaml")
	}
	return out
}

// cleanEnv is the test's environment without any Pulumi settings of the
// machine's user (backend URL, access token, passphrase, home).
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PULUMI_") {
			out = append(out, kv)
		}
	}
	return out
}

// run runs one CLI command in the project and fails the test on error.
func (p *cliProject) run(args ...string) string {
	p.t.Helper()
	cmd := exec.Command(p.bin, append(args, "--non-interactive")...)
	cmd.Dir = p.dir
	cmd.Env = p.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	require.NoErrorf(p.t, err, "pulumi %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), out.String(), errOut.String())
	return out.String()
}

// cliStack runs the `pulumi` commands of the README's "Deploying for real"
// that need no AWS account (login, stack init, config set) on a copy of the
// project, with a local file backend instead of the README's S3 bucket and
// a stand-in registry for $REGISTRY. The CLI rewrites the whole stack file
// (numbers become quoted strings, blank lines go).
func cliStack(t *testing.T) *cliProject {
	p := newCLIProject(t, pulumiCLI(t), "stg")
	cmds := readmeCLICommands(t)
	require.NotEmpty(t, cmds, "README.md's Deploying for real has pulumi commands to run")
	for _, args := range cmds {
		if args[0] == "login" {
			args = []string{"login", "file://" + p.backend}
		}
		p.run(args...)
	}
	assert.Equal(t, cliZone+"\n", p.run("config", "get", "--path", "wpfleet:dnsZones[0].zoneId"))
	written := p.read("Pulumi.stg.yaml")
	require.Contains(t, written, "encryptionsalt:", "stack init wrote the passphrase salt")
	require.Contains(t, written, `wpfleet:availabilityZones: "2"`, "the CLI rewrote the file (numbers quoted)")
	return p
}

// readmeCLICommands returns the arguments of every `pulumi login`, `stack
// init` and `config set` line in the README's "Deploying for real" section,
// with $REGISTRY expanded to cliRegistry.
func readmeCLICommands(t *testing.T) [][]string {
	b, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	require.NoError(t, err)
	text := string(b)
	start := strings.Index(text, "## Deploying for real")
	require.GreaterOrEqual(t, start, 0, "README.md has a Deploying for real section")
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var out [][]string
	for _, line := range strings.Split(section, "\n") {
		line = strings.TrimSpace(strings.ReplaceAll(line, "$REGISTRY", cliRegistry))
		for _, prefix := range []string{"pulumi login ", "pulumi stack init ", "pulumi config set "} {
			if strings.HasPrefix(line, prefix) {
				out = append(out, shellWords(t, strings.TrimPrefix(line, "pulumi ")))
			}
		}
	}
	return out
}

// shellWords splits a command line as sh does for plain words and
// single-quoted strings (all the README's pulumi lines use).
func shellWords(t *testing.T, line string) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			cur.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '"' || r == '\\' || r == '$' || r == '`':
			t.Fatalf("README command %q uses %q, which this test does not expand", line, r)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	require.False(t, quoted, "unterminated quote in %q", line)
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

const (
	cliRegistry = "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com"
	cliNginx    = cliRegistry + "/wpfleet/nginx:1.0.0" // the README's tag
	cliZone     = "Z0123456789ABCDEFGHIJ"              // the README's zone ID
)

func (p *cliProject) read(name string) string {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, name))
	require.NoError(p.t, err)
	return string(b)
}

// preview runs the offline preview on the files as the CLI left them.
func (p *cliProject) preview() (*fleetconfig.StackFiles, *mocks.Result) {
	p.t.Helper()
	files, err := fleetconfig.ReadStackFiles(filepath.Join(p.dir, "Pulumi.yaml"), filepath.Join(p.dir, "Pulumi.stg.yaml"))
	require.NoError(p.t, err, "the offline preview reads the stack file the CLI wrote")
	res, _, err := program.Preview(files.Project, "stg", files.Config, files.SecretKeys)
	require.NoError(p.t, err, "the offline preview accepts the configuration the CLI wrote")
	return files, res
}

// The values set with `config set` and `config set --path` reach the
// resources when the offline preview reads the CLI's files.
func TestPulumiCLIConfigFeedsTheOfflinePreview(t *testing.T) {
	p := cliStack(t)
	_, res := p.preview()
	images := 0
	for _, td := range res.ByType("aws:ecs/taskDefinition:TaskDefinition") {
		if strings.Contains(str(td.Inputs["containerDefinitions"]), cliNginx) {
			images++
		}
	}
	assert.Positive(t, images, "the image set with `config set` reaches the task definitions")
	zones := map[string]bool{}
	for _, r := range res.ByType("aws:route53/record:Record") {
		zones[str(r.Inputs["zoneId"])] = true
	}
	assert.Equal(t, map[string]bool{cliZone: true}, zones, "the zone set with `config set --path` is used")
}

// README: "If you add a secret of your own to the configuration, use
// pulumi config set --secret". The CLI stores it encrypted (secure: v1:...);
// the offline preview must accept the secure value, pass it to the program
// as a secret and never decrypt it.
func TestPulumiCLISecretFeedsTheOfflinePreview(t *testing.T) {
	p := cliStack(t)
	p.run("config", "set", "--secret", "wpfleet:alarmEmail", "oncall@acme.test")
	assert.Equal(t, "oncall@acme.test\n", p.run("config", "get", "wpfleet:alarmEmail"), "the CLI decrypts its own secret")
	written := p.read("Pulumi.stg.yaml")
	require.Contains(t, written, "secure: v1:", "the CLI stored the value encrypted")
	require.NotContains(t, written, "oncall@acme.test")

	files, res := p.preview()
	assert.Equal(t, []string{"wpfleet:alarmEmail"}, files.SecretKeys)
	subs := res.ByType("aws:sns/topicSubscription:TopicSubscription")
	require.Len(t, subs, 1, "the secret address is subscribed")
	assert.Equal(t, "[secret]", subs[0].Inputs["endpoint"], "the secret reaches the program as a secret, never decrypted")
}
