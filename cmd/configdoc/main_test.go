package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/fleetconfig"
)

// The command prints the reference table of the project file: a row per key
// FleetArgs reads, in its order.
func TestWritesTheReferenceTable(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, write(&b, "../../Pulumi.yaml"))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 2+len(fleetconfig.Fields()))
	assert.Equal(t, "| key (`wpfleet:`) | type | default | description |", lines[0])
	for i, f := range fleetconfig.Fields() {
		assert.True(t, strings.HasPrefix(lines[2+i], "| `"+f.Name+"` | "+f.Type), lines[2+i])
	}
	assert.Contains(t, b.String(), "| `taskCpu` | integer | `1024` |")
	assert.Contains(t, b.String(), "| `sites` | array<object> | required |")
}

// A project file that does not declare a key FleetArgs reads is an error.
func TestUndeclaredKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "Pulumi.yaml")
	require.NoError(t, os.WriteFile(file, []byte("name: wpfleet\nruntime: go\nconfig:\n  taskCpu:\n    type: integer\n"), 0o600))
	err := write(&bytes.Buffer{}, file)
	assert.ErrorContains(t, err, "does not declare environment")
}
