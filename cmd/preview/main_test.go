package main

import (
	"bytes"
	"encoding/json"
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
