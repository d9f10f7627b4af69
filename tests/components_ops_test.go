package tests

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
)

func cdnRequired() *components.CDNArgs {
	return &components.CDNArgs{Site: "blog", Environment: "test", Tags: components.Tags("test", "blog", nil),
		Hostnames:             []components.Hostname{{Name: "blog.example.com", ZoneId: "Z1"}},
		ValidationRecordFqdns: pulumi.StringArray{pulumi.String("_x.blog.example.com")},
		AlbDnsName:            pulumi.String("alb.example"), OriginSecret: pulumi.ToSecret(pulumi.String("s3cr3t")).(pulumi.StringOutput),
		BucketRegionalDomainName: pulumi.String("bucket.s3.ap-northeast-1.amazonaws.com")}
}

func TestCDNComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewCDN(ctx, "blog", cdnRequired())
			return err
		})
		d := one(t, res, "aws:cloudfront/distribution:Distribution").Inputs
		assert.Equal(t, "PriceClass_200", d["priceClass"])
		assert.Nil(t, d["webAclId"])
		assert.EqualValues(t, 60, at(d, "origins.0.customOriginConfig.originReadTimeout"))
		assert.Len(t, res.ByType("pulumi:providers:aws"), 1, "its own us-east-1 provider")
		assert.Len(t, res.ByType("aws:cloudfront/cachePolicy:CachePolicy"), 2, "pages and its own static policy")
		page, _ := res.Find("aws:cloudfront/cachePolicy:CachePolicy", "blog-pages")
		assert.EqualValues(t, 300, page.Inputs["defaultTtl"])
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := cdnRequired()
			a.Hostnames = append(a.Hostnames, components.Hostname{Name: "www.blog.example.com", ZoneId: "Z1"})
			a.StaticCachePolicyId = pulumi.String("shared-static")
			a.PageTTLSeconds, a.PriceClass, a.OriginReadTimeoutSeconds = 30, "PriceClass_All", 35
			a.WebACLArn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/w/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
			_, err := components.NewCDN(ctx, "blog", a)
			return err
		})
		d := one(t, res, "aws:cloudfront/distribution:Distribution").Inputs
		assert.Equal(t, "PriceClass_All", d["priceClass"])
		assert.NotNil(t, d["webAclId"])
		assert.Len(t, d["aliases"], 2)
		assert.Len(t, res.ByType("aws:cloudfront/cachePolicy:CachePolicy"), 1, "the shared static policy is used")
		assert.Equal(t, "shared-static", behaviors(res.ByType("aws:cloudfront/distribution:Distribution")[0])["*.css"]["cachePolicyId"])
		assert.EqualValues(t, 30, one(t, res, "aws:cloudfront/cachePolicy:CachePolicy").Inputs["defaultTtl"])
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := cdnRequired()
			a.PriceClass = "PriceClass_Cheap"
			_, err := components.NewCDN(ctx, "blog", a)
			return err
		})
		require.ErrorContains(t, err, `CDNArgs.PriceClass: "PriceClass_Cheap" is not valid`)
		assert.Empty(t, rec.Resources())
	})
}

func monitoringRequired() *components.MonitoringArgs {
	p := func(s string) pulumi.String { return pulumi.String(s) }
	return &components.MonitoringArgs{Environment: "test", Tags: tags, AlarmTopicArn: p("arn:aws:sns:ap-northeast-1:123456789012:t"),
		AlbArnSuffix: p("app/alb/1"), ClusterName: p("c"), ClusterArn: p("arn:aws:ecs:ap-northeast-1:123456789012:cluster/c"),
		Sites:        []components.MonitoredSite{{Site: "blog", ServiceName: p("blog"), TargetGroupArnSuffix: p("targetgroup/blog/1")}},
		FileSystemId: p("fs-1"), ThroughputMode: components.ThroughputBursting, DbClusterId: p("db")}
}

func TestMonitoringComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewMonitoring(ctx, "m", monitoringRequired())
			return err
		})
		assert.Len(t, res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm"), 4+3, "4 per site + 3 for Aurora; bursting EFS is watched by SharedEFS")
		one(t, res, "aws:cloudwatch/dashboard:Dashboard")
		assert.Len(t, res.ByType("aws:cloudwatch/eventRule:EventRule"), 1)
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := monitoringRequired()
			a.ThroughputMode, a.DbServerless = components.ThroughputElastic, true
			a.Target5xxPercent, a.ResponseTimeP90Ms, a.DbCPUPercent, a.DbConnections, a.DbFreeableMemoryMiB, a.EfsThroughputMibps = 1, 500, 50, 10, 64, 5
			a.Sites = append(a.Sites, components.MonitoredSite{Site: "news", ServiceName: pulumi.String("news"), TargetGroupArnSuffix: pulumi.String("targetgroup/news/2")})
			_, err := components.NewMonitoring(ctx, "m", a)
			return err
		})
		assert.Len(t, res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm"), 8+1+4)
		p90, _ := res.Find("aws:cloudwatch/metricAlarm:MetricAlarm", "test-news-latency-p90")
		assert.EqualValues(t, 0.5, p90.Inputs["threshold"])
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := monitoringRequired()
			a.Target5xxPercent = 120
			_, err := components.NewMonitoring(ctx, "m", a)
			return err
		})
		require.ErrorContains(t, err, "MonitoringArgs.Target5xxPercent: 120 is not valid")
		assert.Empty(t, rec.Resources())
	})
}

func TestBackupComponent(t *testing.T) {
	arns := []pulumi.StringInput{pulumi.String("arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-1")}
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewBackup(ctx, "b", &components.BackupArgs{Environment: "test", Tags: tags, ResourceArns: arns})
			return err
		})
		plan := one(t, res, "aws:backup/plan:Plan").Inputs
		assert.EqualValues(t, 35, at(plan, "rules.0.lifecycle.deleteAfter"))
		assert.Equal(t, "test-wpfleet", one(t, res, "aws:backup/vault:Vault").Inputs["name"])
		assert.False(t, one(t, res, "aws:backup/vault:Vault").Options.Protect)
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewBackup(ctx, "b", &components.BackupArgs{Environment: "test", Tags: tags, ResourceArns: arns,
				RetentionDays: 90, Schedule: "cron(30 16 ? * SUN *)", Protect: true})
			return err
		})
		plan := one(t, res, "aws:backup/plan:Plan").Inputs
		assert.EqualValues(t, 90, at(plan, "rules.0.lifecycle.deleteAfter"))
		assert.Equal(t, "cron(30 16 ? * SUN *)", at(plan, "rules.0.schedule"))
		assert.True(t, one(t, res, "aws:backup/vault:Vault").Options.Protect)
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			_, err := components.NewBackup(ctx, "b", &components.BackupArgs{Environment: "test", ResourceArns: arns, Schedule: "rate(1 day)"})
			return err
		})
		require.ErrorContains(t, err, `BackupArgs.Schedule: "rate(1 day)" is not valid`)
		assert.Empty(t, rec.Resources())
	})
}
