package cost

import "math"

// GiB is the byte count of AWS's billing gigabyte.
const GiB = 1 << 30

// FargateIncludedEphemeralGiB is the ephemeral storage every Fargate task
// gets without charge (aws-facts.md: 20 GiB included, up to 200 GiB).
const FargateIncludedEphemeralGiB = 20

// MinFargateBilledSeconds is Fargate's one-minute minimum per task.
const MinFargateBilledSeconds = 60

// FargateTaskHour is what one task of vcpu and memGB costs an hour at the
// given unit prices.
func FargateTaskHour(vcpu, memGB, vcpuHour, gbHour float64) float64 {
	return vcpu*vcpuHour + memGB*gbHour
}

// EphemeralExtraGiB is the billed ephemeral storage of a task of sizeGiB.
func EphemeralExtraGiB(sizeGiB float64) float64 {
	return math.Max(0, sizeGiB-FargateIncludedEphemeralGiB)
}

// BilledTaskSeconds is what Fargate bills for one task run: from the start
// of the image pull to the stop, at least a minute.
func BilledTaskSeconds(startSeconds, runSeconds float64) float64 {
	return math.Max(MinFargateBilledSeconds, startSeconds+runSeconds)
}

// Strategy is one capacity provider strategy item.
type Strategy struct {
	Provider string
	Base     float64
	Weight   float64
}

// SpotShare is the share of n running tasks that a capacity provider
// strategy places on FARGATE_SPOT: the base goes to the provider that has it,
// the rest is split by weight (ECS capacity provider strategy rules). No
// strategy means the FARGATE launch type: no Spot.
func SpotShare(n float64, strategy []Strategy) float64 {
	if n <= 0 || len(strategy) == 0 {
		return 0
	}
	var spot, weights, spotWeight float64
	rest := n
	for _, s := range strategy {
		if s.Base > 0 {
			b := math.Min(s.Base, rest)
			if s.Provider == "FARGATE_SPOT" {
				spot += b
			}
			rest -= b
		}
		weights += s.Weight
		if s.Provider == "FARGATE_SPOT" {
			spotWeight += s.Weight
		}
	}
	if rest > 0 && weights > 0 {
		spot += rest * spotWeight / weights
	}
	return spot / n
}

// NATGatewayCount is how many NAT gateways an awsx VPC creates for its
// strategy ("None", "Single", "OnePerAz"; awsx defaults to OnePerAz).
func NATGatewayCount(strategy string, azs int) int {
	switch strategy {
	case "None":
		return 0
	case "Single":
		return 1
	default:
		return azs
	}
}

// ALBLCUs is the average number of LCUs an ALB bills an hour for a month's
// requests and processed GB: the largest of its four dimensions (25 new
// connections/s, 3,000 active connections/min, 1 GB/h to IP targets, 1,000
// rule evaluations/s beyond the 10 free rules per request), ELB pricing page.
// Connections stay open idleSeconds after their last request.
func ALBLCUs(requests, gb, rulesPerRequest, requestsPerConn, idleSeconds float64) float64 {
	if requestsPerConn <= 0 {
		requestsPerConn = 1
	}
	perSecond := requests / SecondsPerMonth
	newConns := perSecond / requestsPerConn
	dims := []float64{
		newConns / 25,
		newConns * idleSeconds / 3000,
		gb / HoursPerMonth / 1,
		perSecond * math.Max(0, rulesPerRequest-10) / 1000,
	}
	max := 0.0
	for _, d := range dims {
		max = math.Max(max, d)
	}
	return max
}

// SyncPollGiB is the EFS metadata metered in a month by one sync agent
// polling sites every pollSeconds with opsPerSite operations, each metered
// at the 4 KiB minimum (aws-facts.md, elastic metering).
func SyncPollGiB(pollSeconds, opsPerSite, sites float64) float64 {
	if pollSeconds <= 0 {
		return 0
	}
	return SecondsPerMonth / pollSeconds * opsPerSite * sites * 4096 / GiB
}

// BackupStoredGiB is the average backup storage of dataGiB kept retention
// days with runsPerDay incremental backups, each adding changePerDay of the
// data spread over the day's runs: one full copy plus the increments.
func BackupStoredGiB(dataGiB, changePerDay, retentionDays, runsPerDay float64) float64 {
	if dataGiB <= 0 || retentionDays <= 0 || runsPerDay <= 0 {
		return 0
	}
	points := retentionDays * runsPerDay
	return dataGiB + (points-1)*dataGiB*changePerDay/runsPerDay
}

// LogStoredGiB is the steady-state archived log storage for a month's
// ingestion kept retentionDays (0 = never expires: counted as a year),
// stored compressed at compression bytes per ingested byte.
func LogStoredGiB(ingestGiB, retentionDays, compression float64) float64 {
	if retentionDays <= 0 {
		retentionDays = 365
	}
	return ingestGiB * retentionDays / DaysPerMonth * compression
}

// PerUnit prices count units at price per unit-size (e.g. requests at a
// price per 10,000: PerUnit(requests, price, 1e4)).
func PerUnit(count, price, unitSize float64) float64 {
	return count / unitSize * price
}

// Traffic is a month of viewer traffic split between CloudFront, the ALB
// and S3.
type Traffic struct {
	ViewerRequests, CDNRequests, CDNGiB, DirectGiB float64
	ALBRequests, ALBGiB, S3Gets, DynamicRequests   float64
}

// SplitTraffic turns the usage profile's page views into requests and bytes
// at each hop; cdnShare of the traffic goes through CloudFront.
func SplitTraffic(u *Usage, cdnShare float64) Traffic {
	pv := u.PageViewsPerMonth
	assets := pv * math.Max(0, u.RequestsPerPageView-1)
	viewerGiB := pv * u.KBPerPageView * 1024 / GiB
	pageToOrigin := pv*cdnShare*(1-u.PageCacheHitRatio) + pv*(1-cdnShare)
	assetToOrigin := assets*cdnShare*(1-u.AssetCacheHitRatio) + assets*(1-cdnShare)
	t := Traffic{
		ViewerRequests:  pv * u.RequestsPerPageView,
		CDNGiB:          viewerGiB * cdnShare,
		DirectGiB:       viewerGiB * (1 - cdnShare),
		S3Gets:          assetToOrigin * u.UploadsShareOfAssets,
		ALBRequests:     pageToOrigin + assetToOrigin*(1-u.UploadsShareOfAssets),
		DynamicRequests: pageToOrigin,
	}
	t.CDNRequests = t.ViewerRequests * cdnShare
	t.ALBGiB = t.ALBRequests * u.OriginKBPerRequest * 1024 / GiB
	return t
}

// AlarmMetrics is how many metrics one CloudWatch alarm is billed for: one
// for a metric alarm, one per metric of a metric-math alarm (expressions are
// free), CloudWatch pricing page.
func AlarmMetrics(metricName string, queryMetrics int) int {
	if queryMetrics > 0 {
		return queryMetrics
	}
	if metricName != "" {
		return 1
	}
	return 0
}
