package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/fleetconfig"
)

// Pulumi.yaml declares exactly the keys FleetArgs reads, each with its type,
// a description, and the default the code uses.
func TestPulumiYamlDeclaresEveryKey(t *testing.T) {
	proj, err := workspace.LoadProject(filepath.Join(repoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "wpfleet", string(proj.Name))
	assert.Equal(t, "go", proj.Runtime.Name())
	defaults := fleetconfig.DefaultValues()
	declared := map[string]bool{}
	for k := range proj.Config {
		declared[k] = true
	}
	for _, f := range fleetconfig.Fields() {
		decl, ok := proj.Config[f.Name]
		if !assert.Truef(t, ok, "Pulumi.yaml does not declare %s", f.Name) {
			continue
		}
		delete(declared, f.Name)
		assert.Equalf(t, f.Type, decl.TypeName(), "type of %s", f.Name)
		if f.Type == "array" {
			require.NotNil(t, decl.Items, f.Name)
			assert.Equalf(t, f.ItemType, decl.Items.Type, "item type of %s", f.Name)
		}
		assert.NotEmptyf(t, decl.Description, "description of %s", f.Name)
		want, _ := json.Marshal(defaults[f.Name])
		got, _ := json.Marshal(decl.Default)
		assert.JSONEqf(t, string(want), string(got), "default of %s", f.Name)
	}
	assert.Empty(t, declared, "Pulumi.yaml declares keys the program does not read")
}

// The README's configuration reference is the table generated from
// Pulumi.yaml (go run ./cmd/configdoc), so it names every key as declared.
func TestReadmeConfigReferenceIsCurrent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	require.NoError(t, err)
	table, err := fleetconfig.ReferenceTable(filepath.Join(repoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(b), table), "README.md's configuration reference is stale: regenerate it with go run ./cmd/configdoc")
	for _, f := range fleetconfig.Fields() {
		assert.Truef(t, strings.Contains(string(b), "`"+f.Name+"`"), "README.md does not document %s", f.Name)
	}
}

// The reference table says "required" exactly for the keys a stack cannot
// leave out: leaving one out of stg's configuration is refused under that
// key, and leaving out a key the table marks "—" (optional, no default) is not.
func TestReferenceTableRequiredKeys(t *testing.T) {
	table, err := fleetconfig.ReferenceTable(filepath.Join(repoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	base := stackConfig(t, "stg").Config
	required := 0
	for _, line := range strings.Split(table, "\n")[2:] {
		cells := strings.Split(line, " | ")
		if len(cells) < 3 {
			continue
		}
		key := "wpfleet:" + strings.Trim(cells[0], "| `")
		if cells[2] != "required" && cells[2] != "—" {
			continue // a default: leaving the key out gives it
		}
		cfg := copyConfig(base)
		delete(cfg, key)
		_, err := fleetconfig.FromMap(cfg, "stg")
		if cells[2] == "required" {
			required++
			if assert.Errorf(t, err, "%s is documented as required", key) {
				assert.Contains(t, err.Error(), key+":")
			}
		} else {
			assert.NoErrorf(t, err, "%s is documented as optional (%s)", key, cells[2])
		}
	}
	assert.Equal(t, 5, required, "dnsZones, nginxImage, phpImage, releaseRepoUrlTemplate and sites")
}
