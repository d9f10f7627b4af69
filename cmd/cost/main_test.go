package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func costCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(append([]string{"--project", "../../Pulumi.yaml"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestText(t *testing.T) {
	code, out, errOut := costCmd("--stack", "prod")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Monthly estimate of stack prod in ap-northeast-1 (usage profile prod; 150 JPY/USD, default; --fx to change)")
	assert.Regexp(t, `compute\s+Fargate service tasks, on-demand\s+~\d+\.\d\d\s+\d+`, out)
	assert.Regexp(t, `TOTAL\s+\d+\.\d\d\s+\d+`, out)
	assert.Contains(t, out, "compute + file-storage")
	assert.Contains(t, out, "Largest lines: ")
	assert.NotContains(t, out, "NOT PRICED")
}

func TestJSONShape(t *testing.T) {
	code, out, errOut := costCmd("--stack", "stg", "--format", "json", "--fx", "160")
	require.Equal(t, 0, code, errOut)
	var r struct {
		Stack      string  `json:"stack"`
		Region     string  `json:"region"`
		Fx         float64 `json:"fxJpyPerUsd"`
		FxDefault  bool    `json:"fxDefault"`
		TotalUSD   float64 `json:"totalUsd"`
		TotalJPY   float64 `json:"totalJpy"`
		SeedUSD    float64 `json:"seedUsd"`
		Lines      []map[string]json.RawMessage
		Categories map[string]float64 `json:"categories"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, "stg", r.Stack)
	assert.Equal(t, "ap-northeast-1", r.Region)
	assert.Equal(t, 160.0, r.Fx)
	assert.False(t, r.FxDefault)
	assert.InDelta(t, 80000.0/160, r.SeedUSD, 1e-9)
	assert.InDelta(t, r.TotalUSD*160, r.TotalJPY, 1e-6)
	require.NotEmpty(t, r.Lines)
	sum := 0.0
	for _, l := range r.Lines {
		for _, k := range []string{"item", "category", "usd", "basis", "estimate"} {
			assert.Contains(t, l, k)
		}
		var usd float64
		require.NoError(t, json.Unmarshal(l["usd"], &usd))
		sum += usd
	}
	assert.InDelta(t, r.TotalUSD, sum, 1e-6)
	assert.Len(t, r.Categories, 7)
}

func TestUsageOverridesChangeTheEstimate(t *testing.T) {
	total := func(args ...string) float64 {
		code, out, errOut := costCmd(append([]string{"--stack", "prod", "--format", "json"}, args...)...)
		require.Equal(t, 0, code, errOut)
		var r struct {
			TotalUSD float64 `json:"totalUsd"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &r))
		return r.TotalUSD
	}
	base := total()
	more := total("--set", "pageViewsPerMonth=6e6")
	assert.Greater(t, more, base+300, "twice the page views: ~$500 more CloudFront")
	file := filepath.Join(t.TempDir(), "u.yaml")
	require.NoError(t, os.WriteFile(file, []byte("pageViewsPerMonth: 6000000\n"), 0o600))
	assert.InDelta(t, more, total("--usage", file), 1e-9)
}

func TestErrors(t *testing.T) {
	code, _, errOut := costCmd()
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--stack is required")
	code, _, errOut = costCmd("--stack", "prod", "--format", "yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `"text" or "json"`)
	code, _, errOut = costCmd("--stack", "prod", "--set", "pageViews=1")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unknown key; valid keys:")
	code, _, errOut = costCmd("--stack", "prod", "--fx", "0")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "must be a positive number of JPY per USD")
	code, out, errOut := costCmd("--stack", "nosuch")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "Pulumi.nosuch.yaml")
	b, err := os.ReadFile("../../Pulumi.stg.yaml")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "Pulumi.eu.yaml")
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(strings.Replace(string(b), "aws:region: ap-northeast-1", "aws:region: eu-west-3", 1), "wpfleet:environment: stg", "wpfleet:environment: eu", 1)), 0o600))
	code, _, errOut = costCmd("--stack", "eu", "--config", file)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `no prices for region "eu-west-3" (have ap-northeast-1, us-east-1)`)
}

func TestUsEast1(t *testing.T) {
	b, err := os.ReadFile("../../Pulumi.stg.yaml")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "Pulumi.us.yaml")
	text := strings.Replace(strings.ReplaceAll(string(b), "ap-northeast-1", "us-east-1"), "wpfleet:environment: stg", "wpfleet:environment: us", 1)
	require.NoError(t, os.WriteFile(file, []byte(text), 0o600))
	code, out, errOut := costCmd("--stack", "us", "--config", file, "--set", "edgeRegion=united-states")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Monthly estimate of stack us in us-east-1")
	assert.Contains(t, out, "x $0.045", "us-east-1 NAT price")
}
