package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const project = "../../Pulumi.yaml"

func preview(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(append([]string{"--project", project}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func keys(m map[string]json.RawMessage) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

func TestTree(t *testing.T) {
	code, out, errOut := preview("--stack", "stg")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, " +   pulumi:pulumi:Stack")
	assert.Contains(t, out, "└─ wpfleet:components:Fleet")
	assert.Contains(t, out, "wpfleet:components:WordPressSite")
	assert.Contains(t, out, "wpfleet:components:SitePool")
	assert.Regexp(t, `Resources:\n    \+ \d+ to create`, out)
	assert.Regexp(t, `wpfleet:components:WordPressSite\s+12\n`, out, "a count per type")
	assert.Regexp(t, `aws:ecs/service:Service\s+1\n`, out, "stg serves every site from one pool")
	assert.Contains(t, out, "\nOutputs:\n")
	assert.Regexp(t, `siteUrls: \{"campaign":"https://campaign.stg.example.com",`, out)
}

func TestJSONShape(t *testing.T) {
	code, out, errOut := preview("--stack", "prod", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &top))
	assert.Equal(t, []string{"outputs", "project", "resources", "stack"}, keys(top))
	var resources []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(top["resources"], &resources))
	require.NotEmpty(t, resources)
	for _, r := range resources {
		assert.Equal(t, []string{"custom", "dependencies", "inputs", "name", "parent", "type", "urn"}, keys(r))
	}
	assert.Contains(t, out, `"secretString": "[secret]"`, "secret values are replaced")
	assert.JSONEq(t, `"prod"`, string(top["stack"]))
	assert.JSONEq(t, `"wpfleet"`, string(top["project"]))
}

func TestOtherConfigFile(t *testing.T) {
	b, err := os.ReadFile("../../Pulumi.stg.yaml")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "Pulumi.qa.yaml")
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(b), "wpfleet:environment: stg", "wpfleet:environment: qa", 1)), 0o600))
	code, out, errOut := preview("--stack", "qa", "--config", file, "--format", "json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"name": "qa-corporate"`)
}

func TestInvalidConfigExitsNonZero(t *testing.T) {
	b, err := os.ReadFile("../../Pulumi.stg.yaml")
	require.NoError(t, err)
	bad := strings.Replace(string(b), "wpfleet:taskMemory: 2048", "wpfleet:taskMemory: 8192", 1)
	bad = strings.Replace(bad, "wpfleet:environment: stg", "wpfleet:environment: bad", 1)
	require.NotEqual(t, string(b), bad)
	file := filepath.Join(t.TempDir(), "Pulumi.bad.yaml")
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
	code, out, errOut := preview("--stack", "bad", "--config", file)
	assert.Equal(t, 1, code)
	assert.Empty(t, out, "nothing is printed as if it were a plan")
	assert.Contains(t, errOut, `wpfleet:taskMemory: "512 CPU units, 8192 MiB" is not valid; with 512 CPU units (0.5 vCPU) memory must be 1024-4096 MiB`)
}

// A stack file that takes another stack's environment is refused: the
// environment names every AWS resource.
func TestAnotherStacksEnvironment(t *testing.T) {
	b, err := os.ReadFile("../../Pulumi.stg.yaml")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "Pulumi.qa.yaml")
	require.NoError(t, os.WriteFile(file, b, 0o600))
	code, out, errOut := preview("--stack", "qa", "--config", file)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `wpfleet:environment: "stg" is not valid; leave it unset or set it to the stack's name "qa"`)
}

func TestWrongTypeInStackFile(t *testing.T) {
	b, err := os.ReadFile("../../Pulumi.stg.yaml")
	require.NoError(t, err)
	bad := strings.Replace(string(b), "wpfleet:minTasks: 1", "wpfleet:minTasks: one", 1)
	file := filepath.Join(t.TempDir(), "Pulumi.bad.yaml")
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
	code, _, errOut := preview("--stack", "bad", "--config", file)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `wpfleet:minTasks: "one" is not valid; the stack file must give a value of type integer`)
}

func TestUsageErrors(t *testing.T) {
	code, _, errOut := preview()
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--stack is required")
	code, _, errOut = preview("--stack", "stg", "--format", "yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `"tree" or "json"`)
	code, _, errOut = preview("--stack", "nosuch")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Pulumi.nosuch.yaml")
}

// A preflight violation fails the preview with the resource, field, value,
// constraint and source, and prints no plan.
func TestPreflightViolationFailsThePreview(t *testing.T) {
	b, err := os.ReadFile("../../Pulumi.stg.yaml")
	require.NoError(t, err)
	// Nine tags of the user's are valid tags, but with environment and
	// managed-by they are 11 on the release job's S3 object, which takes 10:
	// no configuration check sees that, preflight does.
	var tags []string
	for i := 1; i <= 9; i++ {
		tags = append(tags, fmt.Sprintf("    t%d: v", i))
	}
	bad := strings.Replace(string(b), "wpfleet:environment: stg", "wpfleet:environment: bad\n  wpfleet:tags:\n"+strings.Join(tags, "\n"), 1)
	require.NotEqual(t, string(b), bad)
	file := filepath.Join(t.TempDir(), "Pulumi.bad.yaml")
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
	code, out, errOut := preview("--stack", "bad", "--config", file)
	assert.Equal(t, 1, code)
	assert.Empty(t, out, "nothing is printed as if it were a plan")
	assert.Contains(t, errOut, "preflight:")
	assert.Contains(t, errOut, "aws:s3/bucketObjectv2:BucketObjectv2::bad-release-source")
	assert.Contains(t, errOut, "[tag-limits; https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html")
}

// --strict names every shipped example value of the prod stack, by key.
func TestStrictFlagsShippedExampleValues(t *testing.T) {
	code, out, errOut := preview("--stack", "prod", "--strict")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	for _, want := range []string{
		`wpfleet:alarmEmail = "sre-alerts@example.com": the example alert address`,
		`wpfleet:ciCircleciOrgId = "3f1c2a90-6d4e-4b7a-9c1f-0e5d8b2a7c44"`,
		`wpfleet:ciCircleciProjectIds[1] = "0b1c2d3e-4f50-4617-8899-aabbccddeeff"`,
		`wpfleet:dnsZones[1].name = "example.jp"`,
		`wpfleet:dnsZones[0].zoneId = "Z0PROD0EXAMPLE0COM0001": an example Route 53 hosted zone ID`,
		`wpfleet:nginxImage = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wpfleet/nginx:1.0.0": the example AWS account ID 123456789012`,
		`wpfleet:releaseGitCredentialsSecretArn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:wpfleet/git-readonly-token-Ab12Cd": the example git token secret ARN`,
		`wpfleet:releaseRepoUrlTemplate = "https://github.com/example-corp/wp-{site}.git": the example GitHub organisation example-corp`,
		`wpfleet:sites[10].hostnames[1] = "www.magazine.example.jp"`,
	} {
		assert.Contains(t, errOut, want)
	}
	code, _, errOut = preview("--stack", "stg", "--strict")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `wpfleet:ciGithub[0].repository = "example-corp/wp-corporate": the example GitHub organisation example-corp`)
}

// exampleFindings flags each kind of example value and nothing real.
func TestExampleFindings(t *testing.T) {
	real := map[string]string{
		"aws:region":                             "ap-northeast-1",
		"wpfleet:alarmEmail":                     "ops@acme-news.co.jp",
		"wpfleet:nginxImage":                     "210987654321.dkr.ecr.ap-northeast-1.amazonaws.com/wpfleet/nginx:1.2.0",
		"wpfleet:dnsZones":                       `[{"name":"acme-news.co.jp","zoneId":"Z0412345ABCDEFGHIJKL"}]`,
		"wpfleet:releaseRepoUrlTemplate":         "https://github.com/acme-news/wp-{site}.git",
		"wpfleet:ciGithub":                       `[{"repository":"acme-news/wp-top","branches":["main"]}]`,
		"wpfleet:sites":                          `[{"name":"top","hostnames":["www.acme-news.co.jp","myexample.com"]}]`,
		"wpfleet:ciCircleciOrgId":                "9d0f7b52-0c2e-4f5e-9a51-3c3b1e7d2a10",
		"wpfleet:releaseGitCredentialsSecretArn": "arn:aws:secretsmanager:ap-northeast-1:210987654321:secret:git-token-Zx12Yw",
		"wpfleet:allowedViewerCidrs":             `["210.130.0.0/16", "198.51.101.0/24"]`,
	}
	assert.Empty(t, exampleFindings(real))
	for key, value := range map[string]string{
		"wpfleet:alarmEmail":             "sre-alerts@example.com",
		"wpfleet:phpImage":               "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wpfleet/php:1.0.0",
		"wpfleet:dnsZones":               `[{"name":"news.example.net","zoneId":"Z0123456789ABCDEFGHIJ"}]`,
		"wpfleet:releaseRepoUrlTemplate": "git@github.com:example-corp/wp-{site}.git",
		"wpfleet:ciCircleciProjectIds":   `["7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6"]`,
		"wpfleet:sites":                  `[{"name":"x","hostnames":["www.example.org"]}]`,
		"wpfleet:allowedViewerCidrs":     `["203.0.113.0/24"]`,
		"wpfleet:albAllowedCidrs":        `["198.51.100.7/32"]`,
	} {
		cfg := map[string]string{key: value}
		assert.NotEmptyf(t, exampleFindings(cfg), "%s = %s", key, value)
	}
	found := exampleFindings(map[string]string{"wpfleet:dnsZones": `[{"name":"news.example.net","zoneId":"Z0123456789ABCDEFGHIJ"}]`})
	require.Len(t, found, 2)
	assert.Equal(t, "wpfleet:dnsZones[0].name", found[0].key)
	assert.Equal(t, "wpfleet:dnsZones[0].zoneId", found[1].key)
}

func TestUsageDocumentsStrict(t *testing.T) {
	code, _, errOut := preview("--help")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--strict additionally flags every shipped example value")
	assert.Contains(t, errOut, "sre-alerts@example.com")
}
