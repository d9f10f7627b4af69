package preflight

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// preflight/README.md has one table row per rule.
func TestReadmeListsEveryRule(t *testing.T) {
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	rows := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\|").FindAllStringSubmatch(string(b), -1) {
		rows[m[1]] = true
	}
	for _, r := range Rules() {
		assert.Truef(t, rows[r.Name], "preflight/README.md has no row for %s", r.Name)
	}
	assert.Len(t, rows, len(Rules()), "preflight/README.md lists a rule that does not exist")
}
