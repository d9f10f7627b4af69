package preflight

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ruleCases proves every rule: a graph it accepts and graphs it rejects.
var ruleCases = map[string]func() ruleCase{
	"ec2-security-group-text":    ec2SecurityGroupTextCase,
	"tag-limits":                 tagLimitsCase,
	"iam-names":                  iamNamesCase,
	"lb-names":                   lbNamesCase,
	"log-group-names":            logGroupNamesCase,
	"secret-names":               secretNamesCase,
	"s3-bucket-names":            s3BucketNamesCase,
	"cloudwatch-alarms":          cloudwatchAlarmsCase,
	"eventbridge-rules":          eventbridgeRulesCase,
	"ecs-names":                  ecsNamesCase,
	"ecs-task-definition-limits": ecsTaskDefinitionLimitsCase,
	"cloudfront-text":            cloudfrontTextCase,
	"acm-certificates":           acmCertificatesCase,
	"kms-text":                   kmsTextCase,
	"codebuild-project":          codebuildProjectCase,
	"rds-names":                  rdsNamesCase,
	"efs-settings":               efsSettingsCase,
	"log-metric-filters":         logMetricFiltersCase,
	"vpc-endpoints":              vpcEndpointsCase,
	"waf-cloudformation":         wafCloudFormationCase,
	"region-names":               regionNamesCase,
	"elb-ssl-policies":           elbSSLPoliciesCase,
	"aurora-mysql":               auroraMySQLCase,
	"cloudfront-price-class":     cloudfrontPriceClassCase,
	"fargate-cpu-memory":         fargateCPUMemoryCase,
	"log-retention-values":       logRetentionValuesCase,
	"alb-quotas":                 albQuotasCase,
	"security-group-rule-quotas": securityGroupRuleQuotasCase,
	"cloudfront-quotas":          cloudfrontQuotasCase,
	"physical-names-unique":      physicalNamesUniqueCase,
	"kms-key-publishers":         kmsKeyPublishersCase,
	"s3-ownership-acls":          s3OwnershipACLsCase,
	"alb-access-log-bucket":      albAccessLogBucketCase,
	"cloudfront-us-east-1":       cloudfrontUSEast1Case,
	"ecs-capacity-providers":     ecsCapacityProvidersCase,
	"tasks-reach-image-registry": tasksReachImageRegistryCase,
	"tasks-reach-logs":           tasksReachLogsCase,
	"tasks-reach-secrets":        tasksReachSecretsCase,
	"tasks-reach-efs":            tasksReachEFSCase,
	"tasks-reach-database":       tasksReachDatabaseCase,
	"alb-reaches-targets":        albReachesTargetsCase,
}

// One subtest per rule: it accepts a compliant graph and catches each
// violating one (go test ./preflight -run 'TestRules/tag-limits').
func TestRules(t *testing.T) {
	for _, rule := range Rules() {
		t.Run(rule.Name, func(t *testing.T) {
			c, ok := ruleCases[rule.Name]
			require.Truef(t, ok, "rule %s has no test case in ruleCases", rule.Name)
			c().run(t, rule)
		})
	}
	assert.Len(t, ruleCases, len(Rules()), "ruleCases lists a rule that does not exist")
}

// Each rule lives in its own file, named after it, whose doc comment names
// the rule and cites at least one source; every source is an https URL.
func TestOneRulePerFile(t *testing.T) {
	seen := map[string]bool{}
	for _, rule := range Rules() {
		require.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, rule.Name)
		require.False(t, seen[rule.Name], "duplicate rule %s", rule.Name)
		seen[rule.Name] = true
		require.NotEmpty(t, rule.Doc, rule.Name)
		require.NotEmpty(t, rule.Sources, rule.Name)
		for _, s := range rule.Sources {
			assert.Regexp(t, `^https://`, s, rule.Name)
		}
		file := strings.ReplaceAll(rule.Name, "-", "_") + ".go"
		b, err := os.ReadFile(file)
		require.NoErrorf(t, err, "rule %s lives in %s", rule.Name, file)
		assert.Containsf(t, string(b), "// "+rule.Name+":", "%s starts its doc comment with the rule's name", file)
		assert.Containsf(t, string(b), `Name:    "`+rule.Name+`"`, "%s defines rule %s", file, rule.Name)
	}
}

// Every data file has the date it was checked, a source, and values.
func TestDataFilesAreStamped(t *testing.T) {
	files, err := filepath.Glob("data/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		s, err := parseSet(name)
		require.NoError(t, err, f)
		assert.Regexp(t, regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`), s.checked, f)
		for _, src := range s.sources {
			assert.Regexp(t, `^https://`, src, f)
		}
	}
}

// Check runs every rule and reports violations sorted; Err wraps them.
func TestCheckAndErr(t *testing.T) {
	g := graph(res(typeSecurityGroup, "sg", "sg-1", obj{"description": "it's"}),
		res(typeLogGroup, "lg", "lg", obj{"name": "aws/x", "retentionInDays": int64(8)}))
	vs := Check(g)
	require.Len(t, vs, 3)
	require.NoError(t, Err(nil))
	err := Err(vs)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "preflight: 3 value(s) AWS would refuse")
	for _, v := range vs {
		assert.Contains(t, msg, v.URN)
		assert.Contains(t, msg, v.Source)
	}
	assert.Contains(t, msg, `description = "it's"`)
}
