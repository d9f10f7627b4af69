package cost

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docs/cost.md lists every price of every file with its value, so the
// documentation cannot drift from the data.
func TestDocsListEveryPrice(t *testing.T) {
	b, err := os.ReadFile("../docs/cost.md")
	require.NoError(t, err)
	doc := string(b)
	for _, region := range append(Regions(), "global") {
		raw, err := priceFiles.ReadFile("prices/" + region + ".json")
		require.NoError(t, err)
		f, err := parsePriceFile(raw)
		require.NoError(t, err)
		_, section, ok := strings.Cut(doc, "\n### "+region+"\n")
		require.True(t, ok, "docs/cost.md has no section ### %s", region)
		if end := strings.Index(section, "\n### "); end >= 0 {
			section = section[:end]
		}
		for key, p := range f.Prices {
			row := "| `" + key + "` | " + strconv.FormatFloat(p.USD, 'f', -1, 64) + " | "
			assert.Contains(t, section, row, "docs/cost.md, %s: the row of %s", region, key)
		}
		assert.Equal(t, len(f.Prices), strings.Count(section, "\n| `"), "docs/cost.md, %s: one row per price", region)
	}
}
