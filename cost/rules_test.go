package cost

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const eps = 1e-6

func TestFargateTaskHour(t *testing.T) {
	// 1 vCPU x $0.04045 + 2 GB x $0.00442 = $0.04929 (Tokyo ARM64)
	assert.InDelta(t, 0.04929, FargateTaskHour(1, 2, 0.04045, 0.00442), eps)
	// 0.5 vCPU x $0.05056 + 1 GB x $0.00553 = $0.03081 (Tokyo x86)
	assert.InDelta(t, 0.03081, FargateTaskHour(0.5, 1, 0.05056, 0.00553), eps)
}

func TestEphemeralExtraGiB(t *testing.T) {
	assert.Equal(t, 10.0, EphemeralExtraGiB(30))
	assert.Equal(t, 0.0, EphemeralExtraGiB(20))
	assert.Equal(t, 0.0, EphemeralExtraGiB(0))
	assert.Equal(t, 180.0, EphemeralExtraGiB(200))
}

func TestBilledTaskSeconds(t *testing.T) {
	assert.Equal(t, 75.0, BilledTaskSeconds(45, 30))
	assert.Equal(t, 60.0, BilledTaskSeconds(10, 20), "one-minute minimum")
}

func TestSpotShare(t *testing.T) {
	prod := []Strategy{{"FARGATE", 2, 1}, {"FARGATE_SPOT", 0, 1}}
	assert.Equal(t, 0.0, SpotShare(2, prod), "the base of 2 is on-demand")
	assert.Equal(t, 0.25, SpotShare(4, prod), "2 base + 2 split 1:1 -> 1 of 4 on Spot")
	assert.Equal(t, 0.0, SpotShare(1, prod), "a single scheduled task falls in the base")
	stg := []Strategy{{"FARGATE", 0, 0}, {"FARGATE_SPOT", 0, 1}}
	assert.Equal(t, 1.0, SpotShare(1, stg))
	assert.Equal(t, 0.0, SpotShare(3, nil), "launch type FARGATE")
	spotBase := []Strategy{{"FARGATE_SPOT", 1, 0}, {"FARGATE", 0, 1}}
	assert.InDelta(t, 1.0/3, SpotShare(3, spotBase), eps, "base on the Spot provider")
	assert.Equal(t, 0.0, SpotShare(0, prod))
}

func TestNATGatewayCount(t *testing.T) {
	assert.Equal(t, 3, NATGatewayCount("OnePerAz", 3))
	assert.Equal(t, 3, NATGatewayCount("", 3), "awsx defaults to OnePerAz")
	assert.Equal(t, 1, NATGatewayCount("Single", 2))
	assert.Equal(t, 0, NATGatewayCount("None", 2))
}

func TestALBLCUs(t *testing.T) {
	// 250 requests/s, 10 per connection: 25 new connections/s = 1 LCU;
	// active: 25/s x 60 s idle = 1,500 per minute = 0.5 LCU; no bytes, no rules.
	requests := 250 * SecondsPerMonth
	assert.InDelta(t, 1.0, ALBLCUs(requests, 0, 0, 10, 60), eps)
	// 2 GB an hour to targets = 2 LCU, the largest dimension.
	assert.InDelta(t, 2.0, ALBLCUs(requests, 2*HoursPerMonth, 0, 10, 60), eps)
	// 100 requests/s each evaluating 20 rules: 10 beyond the free 10 -> 1,000/s = 1 LCU.
	assert.InDelta(t, 1.0, ALBLCUs(100*SecondsPerMonth, 0, 20, 1e9, 0), eps)
}

func TestSyncPollGiB(t *testing.T) {
	// 2,628,000 s / 2 s = 1,314,000 polls x 3 ops x 4 KiB = 16,146,432,000 bytes = 15.04 GiB
	assert.InDelta(t, 16146432000.0/GiB, SyncPollGiB(2, 3, 1), eps)
	assert.InDelta(t, 2*16146432000.0/GiB, SyncPollGiB(2, 3, 2), eps, "per site")
	assert.Equal(t, 0.0, SyncPollGiB(0, 3, 1))
}

func TestBackupStoredGiB(t *testing.T) {
	// 10 GB full + 34 daily increments of 2% = 10 + 6.8
	assert.InDelta(t, 16.8, BackupStoredGiB(10, 0.02, 35, 1), eps)
	assert.Equal(t, 0.0, BackupStoredGiB(0, 0.02, 35, 1))
}

func TestLogStoredGiB(t *testing.T) {
	// 10 GB a month kept 90 days = 2.96 months of logs, stored at 15%
	assert.InDelta(t, 10*90/DaysPerMonth*0.15, LogStoredGiB(10, 90, 0.15), eps)
	assert.InDelta(t, 10*365/DaysPerMonth*0.15, LogStoredGiB(10, 0, 0.15), eps, "never expires: a year")
}

func TestPerUnit(t *testing.T) {
	assert.InDelta(t, 108.0, PerUnit(90e6, 0.012, 1e4), eps) // 90 M HTTPS requests in Japan
	assert.InDelta(t, 0.094, PerUnit(20000, 0.0047, 1e3), eps)
}

func TestSplitTraffic(t *testing.T) {
	u := &Usage{PageViewsPerMonth: 1000, RequestsPerPageView: 11, KBPerPageView: 1024, PageCacheHitRatio: 0.5,
		AssetCacheHitRatio: 0.9, UploadsShareOfAssets: 0.5, OriginKBPerRequest: 1024}
	cdn := SplitTraffic(u, 1)
	assert.InDelta(t, 11000.0, cdn.CDNRequests, eps)
	assert.InDelta(t, 1000.0/1024, cdn.CDNGiB, eps, "1,000 x 1 MiB")
	assert.InDelta(t, 0.0, cdn.DirectGiB, eps)
	assert.InDelta(t, 500.0, cdn.DynamicRequests, eps, "half the pages miss")
	assert.InDelta(t, 500.0, cdn.S3Gets, eps, "10,000 assets, 10% miss, half are uploads")
	assert.InDelta(t, 1000.0, cdn.ALBRequests, eps, "500 pages + 500 theme assets")
	assert.InDelta(t, 1000.0/1024, cdn.ALBGiB, eps)
	direct := SplitTraffic(u, 0)
	assert.InDelta(t, 0.0, direct.CDNRequests, eps)
	assert.InDelta(t, 1000.0/1024, direct.DirectGiB, eps)
	assert.InDelta(t, 6000.0, direct.ALBRequests, eps, "1,000 pages + 5,000 theme assets")
	assert.InDelta(t, 5000.0, direct.S3Gets, eps)
}

func TestAlarmMetrics(t *testing.T) {
	assert.Equal(t, 1, AlarmMetrics("CPUUtilization", 0))
	assert.Equal(t, 2, AlarmMetrics("", 2), "metric math: per metric, the expression is free")
	assert.Equal(t, 0, AlarmMetrics("", 0))
}

func TestRunsPerMonth(t *testing.T) {
	cases := map[string]float64{
		"rate(5 minutes)":               730 * 12,
		"rate(15 minutes)":              730 * 4,
		"rate(1 hour)":                  730,
		"rate(2 days)":                  DaysPerMonth / 2,
		"cron(15 3 * * ? *)":            DaysPerMonth,
		"cron(0 19 ? * SUN *)":          DaysPerMonth / 7,
		"cron(0/15 9-17 ? * MON-FRI *)": 4 * 9 * 5 * DaysPerMonth / 7,
		"cron(0 0 1 * ? *)":             1,
		"cron(0 0 L * ? *)":             1,
		"cron(0 12 ? JAN-MAR 2#1 *)":    3.0 / 12,
		"cron(*/10 * * * ? *)":          6 * 24 * DaysPerMonth,
		"cron(0 8,20 1,15 * ? 2027)":    2 * 2,
		"at(2027-01-01T00:00:00)":       0,
	}
	for expr, want := range cases {
		got, err := RunsPerMonth(expr)
		if assert.NoError(t, err, expr) {
			assert.InDelta(t, want, got, 1e-9, expr)
		}
	}
	for _, bad := range []string{"cron(* * * * * *)", "rate(0 minutes)", "rate(5 weeks)", "every 5 minutes", "cron(61 * * * ? *)", "cron(0 0 * * ?)"} {
		_, err := RunsPerMonth(bad)
		assert.Error(t, err, bad)
	}
}
