package fleetconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const project = `name: demo
runtime: go
config:
  taskCpu:
    type: integer
    description: cpu
    default: 512
  sites:
    type: array
    items:
      type: object
    description: sites
  tags:
    type: object
    description: tags
    default:
      team: web
  dbMinAcu:
    type: string
    description: acu
    default: "0.5"
`

func write(t *testing.T, dir, name, body string) string {
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestReadStackFilesAppliesDefaultsAndBlindsSecrets(t *testing.T) {
	dir := t.TempDir()
	proj := write(t, dir, "Pulumi.yaml", project)
	stack := write(t, dir, "Pulumi.dev.yaml", `config:
  aws:region: ap-northeast-1
  demo:sites:
    - name: blog
      hostnames: [blog.example.com]
  demo:dbMinAcu: 0
  demo:alarmEmail:
    secure: AAABAMuVOp1mJ6nW
`)
	files, err := ReadStackFiles(proj, stack)
	require.NoError(t, err)
	assert.Equal(t, "demo", files.Project)
	assert.Equal(t, "512", files.Config["demo:taskCpu"], "declared default applied")
	assert.JSONEq(t, `{"team":"web"}`, files.Config["demo:tags"])
	assert.JSONEq(t, `[{"name":"blog","hostnames":["blog.example.com"]}]`, files.Config["demo:sites"])
	assert.Equal(t, "0", files.Config["demo:dbMinAcu"], "a YAML number for a string-typed key is its text")
	assert.Equal(t, "[secret]", files.Config["demo:alarmEmail"], "secure values are never decrypted")
	assert.Equal(t, []string{"demo:alarmEmail"}, files.SecretKeys)
}

func TestReadStackFilesChecksDeclaredTypes(t *testing.T) {
	dir := t.TempDir()
	proj := write(t, dir, "Pulumi.yaml", project)
	stack := write(t, dir, "Pulumi.dev.yaml", "config:\n  demo:taskCpu: big\n  demo:sites: oops\n")
	_, err := ReadStackFiles(proj, stack)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `demo:taskCpu: "big" is not valid; the stack file must give a value of type integer`)
	assert.Contains(t, err.Error(), `demo:sites: "oops" is not valid; the stack file must give a value of type array<object>`)
}

func TestReadStackFilesMissingStack(t *testing.T) {
	dir := t.TempDir()
	proj := write(t, dir, "Pulumi.yaml", project)
	_, err := ReadStackFiles(proj, filepath.Join(dir, "Pulumi.nope.yaml"))
	assert.ErrorContains(t, err, "Pulumi.nope.yaml")
}

func minimal() map[string]string {
	return map[string]string{
		"aws:region":         "ap-northeast-1",
		"wpfleet:dnsZones":   `[{"name":"example.com","zoneId":"Z1ABC"}]`,
		"wpfleet:sites":      `[{"name":"blog","hostnames":["blog.example.com"],"jobs":[{"name":"x","schedule":"rate(1 day)","command":["wp","cache","flush"]}]}]`,
		"wpfleet:nginxImage": "nginx:1", "wpfleet:phpImage": "php:1",
		"wpfleet:releaseRepoUrlTemplate": "https://github.com/acme/wp-{site}.git",
	}
}

func TestFromMap(t *testing.T) {
	args, err := FromMap(minimal(), "dev")
	require.NoError(t, err)
	assert.Equal(t, "dev", args.Environment, "the environment defaults to the stack name")
	assert.Equal(t, 1024, args.TaskCpu)
	assert.Equal(t, "blog", args.Sites[0].Name)

	cfg := minimal()
	cfg["wpfleet:dbMinAcu"] = "1.5"
	cfg["wpfleet:deletionProtection"] = "false"
	args, err = FromMap(cfg, "dev")
	require.NoError(t, err)
	assert.Equal(t, 1.5, args.DbMinAcu)
	assert.False(t, args.DeletionProtection)
}

func TestFromMapRejectsUnknownFieldsAndBadTypes(t *testing.T) {
	cases := map[string][2]string{
		"job field":      {"wpfleet:sites", `[{"name":"blog","hostnames":["blog.example.com"],"jobs":[{"name":"x","cron":"rate(1 day)"}]}]`},
		"zone field":     {"wpfleet:dnsZones", `[{"name":"example.com","id":"Z1"}]`},
		"wrong JSON":     {"wpfleet:sites", `[{"name":"blog","hostnames":"blog.example.com"}]`},
		"not a bool":     {"wpfleet:finalSnapshot", "maybe"},
		"not a number":   {"wpfleet:dbMaxAcu", "lots"},
		"unknown key":    {"wpfleet:sites2", "[]"},
		"missing region": {"aws:region", ""},
	}
	want := map[string]string{
		"job field":      `wpfleet:sites[0].jobs[0].cron: unknown field; allowed fields are command, name, schedule`,
		"zone field":     `wpfleet:dnsZones[0].id: unknown field; allowed fields are name, zoneId`,
		"wrong JSON":     `wpfleet:sites: a JSON string at "hostnames" is not valid; []string expected`,
		"not a bool":     `wpfleet:finalSnapshot: "maybe" is not valid; true or false`,
		"not a number":   `wpfleet:dbMaxAcu: "lots" is not valid; a number`,
		"unknown key":    `wpfleet:sites2: unknown key`,
		"missing region": `aws:region: (unset) is not valid`,
	}
	for name, kv := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := minimal()
			cfg[kv[0]] = kv[1]
			_, err := FromMap(cfg, "dev")
			require.Error(t, err)
			assert.Contains(t, err.Error(), want[name])
		})
	}
}

func TestCheckKeys(t *testing.T) {
	assert.NoError(t, CheckKeys(map[string]string{"wpfleet:taskCpu": "1", "aws:region": "x", "other:thing": "y"}))
	err := CheckKeys(map[string]string{"wpfleet:taskcpu": "1"})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "wpfleet:taskcpu: unknown key; known keys are environment, dnsZones"))
}

// A value that cannot be read is reported once, as a type error: the checks
// that would run on the default in its place (no sites at all) are not.
func TestUnreadValueIsReportedOnce(t *testing.T) {
	cfg := minimal()
	cfg["wpfleet:sites"] = `[{"name":"blog","hostnames":"blog.example.com"}]`
	cfg["wpfleet:maxTasks"] = "many"
	cfg["wpfleet:efsThroughputMode"] = "turbo"
	_, err := FromMap(cfg, "dev")
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.ElementsMatch(t, []string{
		`wpfleet:sites: a JSON string at "hostnames" is not valid; []string expected`,
		`wpfleet:maxTasks: "many" is not valid; a whole number`,
		`wpfleet:efsThroughputMode: "turbo" is not valid; throughput mode must be "elastic", "bursting" or "provisioned"`,
	}, lines, "type errors and value errors together, nothing about the unread keys' defaults")
}

func TestRegionIsChecked(t *testing.T) {
	cfg := minimal()
	cfg["aws:region"] = "tokyo"
	_, err := FromMap(cfg, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `aws:region: "tokyo" is not valid; an AWS region code such as ap-northeast-1`)
	cfg["aws:region"] = "us-west-2"
	_, err = FromMap(cfg, "dev")
	assert.NoError(t, err)
	// A secure region is accepted offline; the engine decrypts it.
	cfg["aws:region"] = SecretPlaceholder
	_, err = FromMapWithSecrets(cfg, "dev", []string{"aws:region"})
	assert.NoError(t, err)
}

// The environment names every AWS resource: it is the stack name unless set,
// and a stack may not take another stack's.
func TestEnvironmentIsTheStackName(t *testing.T) {
	cfg := minimal()
	cfg["wpfleet:environment"] = "dev"
	_, err := FromMap(cfg, "dev")
	assert.NoError(t, err, "set to the stack's own name")
	cfg["wpfleet:environment"] = "prod"
	_, err = FromMap(cfg, "dev")
	assert.ErrorContains(t, err, `wpfleet:environment: "prod" is not valid; leave it unset or set it to the stack's name "dev"`)
	// A stack whose name is not a valid environment name must set one.
	cfg["wpfleet:environment"] = "prod"
	args, err := FromMap(cfg, "production-eu")
	require.NoError(t, err)
	assert.Equal(t, "prod", args.Environment)
	delete(cfg, "wpfleet:environment")
	_, err = FromMap(cfg, "production-eu")
	assert.ErrorContains(t, err, `wpfleet:environment: "production-eu" is not valid; an environment name is 1-8 lowercase letters`)
}

func TestRemovedKeysSayWhatReplacedThem(t *testing.T) {
	for k, want := range map[string]string{
		"wpfleet:cronSchedule":           "wpfleet:cronSchedule: this key was removed; wp-cron now runs inside each pool",
		"wpfleet:alarmResponseTimeP90Ms": "wpfleet:alarmResponseTimeP90Ms: this key was removed",
	} {
		cfg := minimal()
		cfg[k] = "1"
		_, err := FromMap(cfg, "dev")
		assert.ErrorContains(t, err, want)
		assert.ErrorContains(t, CheckKeys(map[string]string{k: "1"}), want)
	}
}

func TestPools(t *testing.T) {
	cfg := minimal()
	cfg["wpfleet:pools"] = `[{"name":"web","sites":["blog"],"taskCpu":512,"taskMemory":1024,"spotWeight":1}]`
	args, err := FromMap(cfg, "dev")
	require.NoError(t, err)
	require.Len(t, args.Pools, 1)
	assert.Equal(t, 512, *args.Pools[0].TaskCpu)
	assert.Nil(t, args.Pools[0].MinTasks, "unset pool settings inherit the fleet's")

	cfg["wpfleet:pools"] = `[{"name":"web","sites":["blog"],"cpu":512}]`
	_, err = FromMap(cfg, "dev")
	assert.ErrorContains(t, err, "wpfleet:pools[0].cpu: unknown field; allowed fields are codeDelivery, cronIntervalSeconds")

	// A pool setting on a site says where it moved.
	cfg = minimal()
	cfg["wpfleet:sites"] = `[{"name":"blog","hostnames":["blog.example.com"],"minTasks":3}]`
	_, err = FromMap(cfg, "dev")
	assert.ErrorContains(t, err, "wpfleet:sites[0].minTasks: task settings moved to pools: set it in a wpfleet:pools entry (or fleet-wide)")
}

// Every key Fields lists is a FleetArgs field with a Pulumi.yaml type.
func TestFields(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields() {
		assert.False(t, seen[f.Name], f.Name)
		seen[f.Name] = true
		assert.Equal(t, "wpfleet:"+f.Name, f.Key)
		assert.Contains(t, []string{"string", "integer", "boolean", "array", "object"}, f.Type, f.Name)
		if f.Type == "array" {
			assert.Contains(t, []string{"string", "object"}, f.ItemType, f.Name)
		}
	}
	for _, k := range []string{"pools", "sites", "dnsZones", "taskCpu", "dbMinAcu", "tags"} {
		assert.True(t, seen[k], k)
	}
	assert.False(t, seen["cronSchedule"])
}
