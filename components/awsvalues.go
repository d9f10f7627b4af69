package components

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Closed sets of values AWS accepts, checked when the configuration is read
// (mocks accept anything). Each list names its source and the date it was
// checked; a value newer than the list is refused with the list's date, so
// the fix is an update here, never a silent typo in a real deployment.

// AWSValuesCheckedOn is when the lists below were last checked against their sources.
const AWSValuesCheckedOn = "2026-11-26"

// Regions are the commercial AWS regions (partition "aws").
// Source: AWS General Reference, "AWS Regions" and the regions announced since
// (ap-east-2 Taipei, ap-southeast-6 New Zealand, ap-southeast-7 Thailand,
// mx-central-1 Mexico).
var Regions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
	"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

// CheckRegion accepts a commercial AWS region code.
func CheckRegion(r string) error {
	if slices.Contains(Regions, r) {
		return nil
	}
	return fmt.Errorf("an AWS region code such as ap-northeast-1 or us-east-1 (known as of %s: %s)", AWSValuesCheckedOn, strings.Join(Regions, ", "))
}

// TLS12SSLPolicies are the ALB security policies that refuse anything older
// than TLS 1.2. Source: Elastic Load Balancing, "Security policies for your
// Application Load Balancer" (TLS 1.3 + 1.2, FIPS and post-quantum 2025-09
// policies, TLS 1.2-only and forward-secrecy 1.2 policies).
var TLS12SSLPolicies = []string{
	"ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
	"ELBSecurityPolicy-TLS13-1-3-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
	"ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
	"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
	"ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04", "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04", "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
	"ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
	"ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
	"ELBSecurityPolicy-TLS-1-2-2017-01", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
	"ELBSecurityPolicy-FS-1-2-2019-08", "ELBSecurityPolicy-FS-1-2-Res-2019-08", "ELBSecurityPolicy-FS-1-2-Res-2020-10",
}

// CheckSSLPolicy accepts an existing ALB security policy allowing only TLS 1.2 and later.
func CheckSSLPolicy(p string) error {
	if slices.Contains(TLS12SSLPolicies, p) {
		return nil
	}
	return fmt.Errorf("an ALB security policy that allows only TLS 1.2 and later, e.g. %s (known as of %s: %s)",
		DefaultSSLPolicy, AWSValuesCheckedOn, strings.Join(TLS12SSLPolicies, ", "))
}

// AuroraMySQL3Versions are the Aurora MySQL 3 engine versions a new cluster
// can be created with (the deprecated 3.01-3.03 and 3.05-3.07 are left out).
// Source: Aurora MySQL Release Notes, "Database engine updates for Amazon
// Aurora MySQL version 3" and its document history (3.12.0 of 2026-02-17,
// 3.10.4 of 2026-03-30).
var AuroraMySQL3Versions = []string{
	"3.04.0", "3.04.1", "3.04.2", "3.04.3", "3.04.4",
	"3.08.0", "3.08.1", "3.08.2", "3.09.0",
	"3.10.0", "3.10.1", "3.10.2", "3.10.3", "3.10.4",
	"3.11.0", "3.11.1", "3.12.0",
}

var engineVersionRe = regexp.MustCompile(`^8\.0\.mysql_aurora\.(3\.\d{2}\.\d+)$`)

// CheckEngineVersion accepts Aurora MySQL 3 versions ("8.0.mysql_aurora.3.x.y").
func CheckEngineVersion(v string) error {
	if m := engineVersionRe.FindStringSubmatch(v); m != nil && slices.Contains(AuroraMySQL3Versions, m[1]) {
		return nil
	}
	return fmt.Errorf("an Aurora MySQL 3 engine version such as %q; known as of %s: 8.0.mysql_aurora.{%s} "+
		"(Aurora MySQL 2 / MySQL 5.7 is out of standard support)", DefaultEngineVersion, AWSValuesCheckedOn, strings.Join(AuroraMySQL3Versions, ","))
}

// auroraInstanceClassRe matches the instance classes Aurora MySQL 3 supports.
// Source: Amazon Aurora User Guide, "Supported DB engines for DB instance
// classes" (memory-optimized r5/r6g/r6i/r7g/r7i/r8g/x2g, burstable t3/t4g
// medium and large).
var auroraInstanceClassRe = regexp.MustCompile(`^db\.((r5|r6g|r6i|r7g|r7i|r8g)\.(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|32xlarge|48xlarge)|x2g\.(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)|(t3|t4g)\.(medium|large))$`)

// CheckAuroraInstanceClass accepts a provisioned Aurora MySQL instance class.
func CheckAuroraInstanceClass(c string) error {
	if auroraInstanceClassRe.MatchString(c) {
		return nil
	}
	return fmt.Errorf(`a provisioned Aurora MySQL instance class such as "db.r7g.large" or "db.t4g.medium" (r5, r6g, r6i, r7g, r7i, r8g, x2g, or t3/t4g medium and large)`)
}

// reservedTagPrefix is refused in tag keys and values by every AWS service
// (AWS General Reference, "Tagging AWS resources": the aws: prefix is
// reserved for AWS use).
const reservedTagPrefix = "aws:"

var tagCharsRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// CheckTag accepts a user tag: key 1-128 and value 0-256 Unicode characters of
// letters, digits, spaces and _ . : / = + - @, neither starting with "aws:".
// Source: AWS General Reference, "Tagging AWS resources", tag naming limits.
func CheckTag(k, v string) error {
	if n := len([]rune(k)); n < 1 || n > 128 || len([]rune(v)) > 256 || !tagCharsRe.MatchString(k) || !tagCharsRe.MatchString(v) {
		return fmt.Errorf("tag keys of 1-128 and values of up to 256 letters, digits, spaces and _ . : / = + - @")
	}
	if strings.HasPrefix(strings.ToLower(k), reservedTagPrefix) {
		return fmt.Errorf(`tag keys may not start with "aws:" (reserved for AWS)`)
	}
	return nil
}

// validLogRetention lists CloudWatch Logs' accepted retention periods (days).
// Source: CloudWatch Logs API reference, PutRetentionPolicy: retentionInDays.
var validLogRetention = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// CheckLogRetention accepts a CloudWatch Logs retention period.
func CheckLogRetention(days int) error {
	if slices.Contains(validLogRetention, days) {
		return nil
	}
	return fmt.Errorf("one of CloudWatch Logs' retention periods: %s days", joinInts(validLogRetention))
}
