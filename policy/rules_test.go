package policy

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ruleCases proves every rule: a stack it accepts, and stacks it rejects.
var ruleCases = map[string]func() ruleCase{
	"efs-encrypted":                    efsEncryptedCase,
	"rds-storage-encrypted":            rdsStorageEncryptedCase,
	"s3-default-encryption":            s3DefaultEncryptionCase,
	"sns-topic-encrypted":              snsTopicEncryptedCase,
	"kms-key-rotation":                 kmsKeyRotationCase,
	"backup-vault-customer-key":        backupVaultCustomerKeyCase,
	"efs-tls-only":                     efsTLSOnlyCase,
	"ecs-efs-transit-encryption":       ecsEFSTransitEncryptionCase,
	"rds-tls-required":                 rdsTLSRequiredCase,
	"s3-tls-only":                      s3TLSOnlyCase,
	"alb-tls12":                        albTLS12Case,
	"alb-http-redirects-to-https":      albHTTPRedirectsToHTTPSCase,
	"alb-drops-invalid-headers":        albDropsInvalidHeadersCase,
	"cloudfront-tls":                   cloudfrontTLSCase,
	"no-public-ingress":                noPublicIngressCase,
	"ecs-no-public-ip":                 ecsNoPublicIPCase,
	"rds-not-public":                   rdsNotPublicCase,
	"s3-no-public-access-except-oac":   s3NoPublicAccessExceptOACCase,
	"cloudfront-s3-origin-oac":         cloudfrontS3OriginOACCase,
	"secrets-not-in-plain-environment": secretsNotInPlainEnvironmentCase,
	"iam-least-privilege":              iamLeastPrivilegeCase,
	"iam-trust-scoped":                 iamTrustScopedCase,
	"log-retention":                    logRetentionCase,
	"codebuild-logging":                codebuildLoggingCase,
	"ecs-circuit-breaker":              ecsCircuitBreakerCase,
	"efs-elastic-or-credit-alarm":      efsElasticOrCreditAlarmCase,
	"prod-deletion-protection":         prodDeletionProtectionCase,
	"prod-multi-az":                    prodMultiAZCase,
	"prod-cloudfront-waf":              prodCloudFrontWAFCase,
	"alb-origin-secret-per-site":       albOriginSecretPerSiteCase,
	"ecs-exec-logged":                  ecsExecLoggedCase,
}

// One subtest per rule: it accepts a compliant stack and catches each
// violating one (go test ./policy -run 'TestRules/iam-least-privilege').
func TestRules(t *testing.T) {
	for _, p := range Policies(Options{ProductionEnvironments: []string{"prod", "production", "live"}}) {
		t.Run(p.Name(), func(t *testing.T) {
			c, ok := ruleCases[p.Name()]
			require.Truef(t, ok, "rule %s has no test case in ruleCases", p.Name())
			c().run(t, p)
		})
	}
	assert.Len(t, ruleCases, len(Policies(Options{})), "ruleCases lists a rule the pack does not have")
}

func TestPackShape(t *testing.T) {
	pack, err := Pack(Options{})
	require.NoError(t, err)
	assert.Equal(t, PackName, pack.Name())
	assert.Equal(t, PackVersion, pack.Version().String())
	names := map[string]bool{}
	for _, p := range pack.Policies() {
		assert.False(t, names[p.Name()], "duplicate policy %s", p.Name())
		names[p.Name()] = true
		assert.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, p.Name())
		assert.NotEmpty(t, p.Description())
		switch p.(type) {
		case policyx.ResourceValidationPolicy, policyx.StackValidationPolicy:
		default:
			t.Errorf("%s is neither a resource nor a stack validation policy", p.Name())
		}
		level := p.EnforcementLevel()
		if p.Name() == "backup-vault-customer-key" {
			assert.Equal(t, policyx.EnforcementLevelAdvisory, level, p.Name())
		} else {
			assert.Equal(t, policyx.EnforcementLevelMandatory, level, p.Name())
		}
	}
}
