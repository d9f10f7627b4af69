package tests

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/program"
)

// fleetOf returns the stg configuration with n generated sites.
func fleetOf(t testing.TB, n int) map[string]string {
	t.Helper()
	cfg := copyConfig(stackConfig(t, "stg").Config)
	sites := make([]map[string]any, n)
	for i := range sites {
		name := fmt.Sprintf("site%d", i+1)
		sites[i] = map[string]any{"name": name, "hostnames": []any{name + ".stg.example.com"}}
	}
	setSites(t, cfg, sites)
	return cfg
}

// The graph grows by the same resources for every site added; the only
// other growth is one more certificate (with its validation and listener
// attachment) per certificateMaxNames hostnames.
func TestGraphGrowsLinearlyWithSites(t *testing.T) {
	count := func(n int) int {
		res, _, err := runConfig("stg", fleetOf(t, n))
		require.NoError(t, err)
		return len(res.Resources)
	}
	c1, c2 := count(1), count(2)
	perSite := c2 - c1
	assert.Greater(t, perSite, 20)
	for _, n := range []int{3, 10, 11, 25, 50} {
		extraCerts := (n+components.DefaultMaxNamesPerCertificate-1)/components.DefaultMaxNamesPerCertificate - 1
		assert.Equalf(t, c1+perSite*(n-1)+3*extraCerts, count(n), "%d sites", n)
	}
}

// Benchmarks: offline preview of the shipped prod stack and of generated
// fleets. Run: go test ./tests -run '^$' -bench Preview -benchmem
func BenchmarkPreviewProd(b *testing.B) {
	files := stackConfig(b, "prod")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, _, err := program.Preview(files.Project, "prod", files.Config, files.SecretKeys)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Resources)), "resources/op")
	}
}

func BenchmarkPreviewSites(b *testing.B) {
	for _, n := range []int{10, 25, 50} {
		cfg := fleetOf(b, n)
		b.Run(fmt.Sprintf("sites=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				res, _, err := program.Preview("wpfleet", "stg", cfg, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(res.Resources)), "resources/op")
			}
		})
	}
}
