package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// policy/README.md has one table row per rule, with the rule's level.
func TestReadmeListsEveryRule(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), "policy", "README.md"))
	require.NoError(t, err)
	rows := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| (advisory|mandatory) \\|").FindAllStringSubmatch(string(b), -1) {
		rows[m[1]] = m[2]
	}
	policies := Policies(Options{})
	for _, p := range policies {
		level, ok := rows[p.Name()]
		if assert.Truef(t, ok, "policy/README.md has no row for %s", p.Name()) {
			assert.Equal(t, LevelName(p.EnforcementLevel()), level, p.Name())
		}
	}
	assert.Len(t, rows, len(policies), "policy/README.md lists a rule the pack does not have")
	assert.Contains(t, string(b), "pulumi preview --policy-pack policy/pack")
}
