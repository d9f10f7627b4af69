package tests

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/program"
)

// maxSitesPerPool is SitePool's limit; generated fleets fill pools to it.
const maxSitesPerPool = 25

// fleetOf returns the stg configuration with n generated sites of one
// hostname each, in pools of up to 25 sites.
func fleetOf(t testing.TB, n int) map[string]string {
	t.Helper()
	cfg := copyConfig(stackConfig(t, "stg").Config)
	manySites(n, 1, nil)(t, cfg)
	return cfg
}

func pools(n int) int { return (n + maxSitesPerPool - 1) / maxSitesPerPool }

func certificates(n int) int {
	return (n + components.DefaultMaxNamesPerCertificate - 1) / components.DefaultMaxNamesPerCertificate
}

// The graph grows by the same resources for every site added, by the same
// resources for every pool, and by a certificate (with its validation and
// listener attachment) per certificateMaxNames hostnames: nothing else.
func TestGraphGrowsLinearlyWithSites(t *testing.T) {
	count := func(n int) int {
		res, _, err := runConfig("stg", fleetOf(t, n))
		require.NoError(t, err, "%d sites", n)
		return len(res.Resources)
	}
	c1, c2 := count(1), count(2)
	perSite := c2 - c1
	assert.Equal(t, 1+siteShape{hosts: 1, rules: 1, viewerFunction: true}.resources()+1, perSite,
		"a site: its component, what it owns and its hostname's validation record in the ALB's certificate")
	expect := func(n, perPool int) int {
		return c1 + perSite*(n-1) + perPool*(pools(n)-1) + 3*(certificates(n)-1)
	}
	perPool := count(26) - expect(26, 0)
	assert.Equal(t, 20, perPool, "a pool: its component and 19 resources")
	for _, n := range []int{3, 10, 11, 25, 50, 51} {
		assert.Equalf(t, expect(n, perPool), count(n), "%d sites", n)
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
