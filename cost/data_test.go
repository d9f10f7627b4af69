package cost

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPriceFilesAreComplete(t *testing.T) {
	regions := Regions()
	require.Contains(t, regions, "ap-northeast-1")
	require.Contains(t, regions, "us-east-1")
	var keys map[string]Price
	for _, r := range regions {
		book, err := LoadPrices(r)
		require.NoError(t, err, r)
		all := book.All()
		for k, p := range all {
			assert.NotEmpty(t, p.Source, "%s %s: source", r, k)
			assert.Regexp(t, `^20\d\d-\d\d(-\d\d)?$`, p.Read, "%s %s: date read", r, k)
			if !p.Estimate && p.Note == "" {
				t.Errorf("%s %s: a price that is not an estimate says where it was read (note)", r, k)
			}
		}
		if keys == nil {
			keys = all
			continue
		}
		for k := range keys {
			assert.Contains(t, all, k, "region %s lacks a price every region has", r)
		}
		assert.Len(t, all, len(keys), "every region prices the same items")
	}
}

func TestUnknownRegionAndPrice(t *testing.T) {
	_, err := LoadPrices("eu-west-9")
	assert.ErrorContains(t, err, `no prices for region "eu-west-9"`)
	book, err := LoadPrices("us-east-1")
	require.NoError(t, err)
	_, err = book.Get("aurora.db.x9.huge")
	assert.ErrorContains(t, err, "add it to cost/prices/us-east-1.json")
}

func TestParsePriceFileRejectsBadEntries(t *testing.T) {
	_, err := parsePriceFile([]byte(`{"region":"x","currency":"USD","prices":{"a":{"usd":1,"unit":"h","source":"","read":"2026-11"}}}`))
	assert.ErrorContains(t, err, "source and read date are required")
	_, err = parsePriceFile([]byte(`{"region":"x","currency":"JPY","prices":{}}`))
	assert.ErrorContains(t, err, "must be in USD")
	_, err = parsePriceFile([]byte(`{"region":"x","currency":"USD","prices":{},"extra":1}`))
	assert.Error(t, err, "unknown fields are refused")
}

func TestUsageProfiles(t *testing.T) {
	assert.Equal(t, "prod", ProfileName("prod"))
	assert.Equal(t, "stg", ProfileName("stg"))
	assert.Equal(t, "default", ProfileName("qa"))
	prod, err := LoadUsage("prod")
	require.NoError(t, err)
	def, err := LoadUsage("qa")
	require.NoError(t, err)
	assert.Equal(t, 3e6, prod.PageViewsPerMonth, "prod overrides the default")
	assert.Equal(t, 1e6, def.PageViewsPerMonth)
	assert.Equal(t, def.RequestsPerPageView, prod.RequestsPerPageView, "keys prod does not set come from the default")
	assert.Equal(t, 70.0, prod.ImageSize("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wpfleet/php:1.0.0"))
	assert.Equal(t, 20.0, prod.ImageSize("nginx@sha256:abc"))
	assert.Equal(t, 100.0, prod.ImageSize("public.ecr.aws/x/other:2"))
}

func TestUsageOverrides(t *testing.T) {
	u, err := LoadUsage("prod")
	require.NoError(t, err)
	require.NoError(t, u.Set("pageViewsPerMonth=5e6"))
	require.NoError(t, u.Set("edgeRegion=united-states"))
	require.NoError(t, u.Set("imageMiB.php=80"))
	assert.Equal(t, 5e6, u.PageViewsPerMonth)
	assert.Equal(t, "united-states", u.EdgeRegion)
	assert.Equal(t, 80.0, u.ImageSize("x/php:1"))
	assert.ErrorContains(t, u.Set("pageViews=1"), "unknown key; valid keys:")
	assert.ErrorContains(t, u.Set("pageViewsPerMonth"), "want key=value")
	assert.ErrorContains(t, u.Set("pageViewsPerMonth=many"), "is not a number")
	assert.ErrorContains(t, u.Set("pageCacheHitRatio=1.5"), "not a ratio")
	assert.Equal(t, 0.7, u.PageCacheHitRatio, "a refused override changes nothing")
	assert.ErrorContains(t, u.Set("uploadsGB=-1"), "must not be negative")
	require.NoError(t, u.Set("spotShare=-1"), "-1 derives the share from the graph")

	file := filepath.Join(t.TempDir(), "usage.yaml")
	require.NoError(t, os.WriteFile(file, []byte("uploadsGB: 999\nimageMiB:\n  sync: 5\n"), 0o600))
	require.NoError(t, u.MergeFile(file))
	assert.Equal(t, 999.0, u.UploadsGB)
	assert.Equal(t, 5.0, u.ImageSize("sync:1"))
	assert.Equal(t, 80.0, u.ImageSize("php:1"), "a file adds image sizes, it does not drop the others")
	require.NoError(t, os.WriteFile(file, []byte("uploadGB: 1\n"), 0o600))
	assert.ErrorContains(t, u.MergeFile(file), "field uploadGB not found")
}

func TestTemplateWebACLs(t *testing.T) {
	jsonTpl := `{"Resources":{"Acl":{"Type":"AWS::WAFv2::WebACL","Properties":{"Scope":"CLOUDFRONT",
		"Rules":[{"Name":"common"},{"Name":"rate"}]}},"Topic":{"Type":"AWS::SNS::Topic"}}}`
	acls, others, err := templateWebACLs(jsonTpl)
	require.NoError(t, err)
	assert.Equal(t, []webACL{{Scope: "CLOUDFRONT", Rules: 2}}, acls)
	assert.Equal(t, []string{"AWS::SNS::Topic"}, others)
	yamlTpl := "Resources:\n  Acl:\n    Type: AWS::WAFv2::WebACL\n    Properties:\n      Scope: REGIONAL\n      Name: !Sub '${AWS::StackName}-acl'\n      Rules:\n        - Name: a\n"
	acls, _, err = templateWebACLs(yamlTpl)
	require.NoError(t, err)
	assert.Equal(t, []webACL{{Scope: "REGIONAL", Rules: 1}}, acls)
	_, _, err = templateWebACLs("{not: [valid")
	assert.Error(t, err)
}

func TestReferenceParsing(t *testing.T) {
	assert.Equal(t, "arn:aws:secretsmanager:ap-northeast-1:1:secret:wpfleet/prod/a/db-5202ad",
		secretARN("arn:aws:secretsmanager:ap-northeast-1:1:secret:wpfleet/prod/a/db-5202ad:password::"))
	assert.Equal(t, "arn:aws:ssm:x", secretARN("arn:aws:ssm:x"))
	assert.Equal(t, "prod-news-cron", familyOf("arn:aws:ecs:ap-northeast-1:1:task-definition/prod-news-cron:1"))
	assert.Equal(t, "", familyOf("prod-news-cron"))
	assert.Equal(t, "s3", endpointService("com.amazonaws.ap-northeast-1.s3", "ap-northeast-1"))
	assert.Equal(t, "ecr.dkr", endpointService("com.amazonaws.ap-northeast-1.ecr.dkr", "ap-northeast-1"))
}

func TestSeedLines(t *testing.T) {
	book, err := LoadPrices("ap-northeast-1")
	require.NoError(t, err)
	lines, err := SeedLines(book)
	require.NoError(t, err)
	c := ByCategory(lines)
	// 4 x (1 x $0.05056 + 2 x $0.00553) x 730 h
	assert.InDelta(t, 4*0.06162*730, c["compute"], 1e-6)
	// 100 MiB/s x $7.20 + 7.5 GB x $0.36
	assert.InDelta(t, 720+2.7, c["file-storage"], 1e-6)
}
