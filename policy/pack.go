package policy

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// PackName and PackVersion identify the policy pack to the Pulumi engine.
const (
	PackName    = "wpfleet-security"
	PackVersion = "1.0.0"
)

// DefaultProductionEnvironments are the environments the prod-only rules
// (prod-deletion-protection, prod-multi-az) apply to when nothing else is
// configured: the components treat "prod" and "production" as production
// (WP_ENVIRONMENT_TYPE=production), and so does the pack.
var DefaultProductionEnvironments = []string{"prod", "production"}

// ProductionEnvironmentsEnv is the environment variable the served pack
// (policy/pack) reads the production environments from: comma-separated
// names, e.g. WPFLEET_PRODUCTION_ENVIRONMENTS=prod,live.
const ProductionEnvironmentsEnv = "WPFLEET_PRODUCTION_ENVIRONMENTS"

// Options configure the pack.
type Options struct {
	// ProductionEnvironments are the environment names whose resources the
	// prod-only rules check. A resource's environment is its `environment`
	// tag, or its stack's name when it carries none (see doc.go). Defaults to
	// DefaultProductionEnvironments.
	ProductionEnvironments []string
}

// OptionsFromEnv reads Options from the process environment (used by the
// served pack, whose policies cannot all receive policy config: see doc.go).
func OptionsFromEnv() Options {
	var o Options
	if v := os.Getenv(ProductionEnvironmentsEnv); strings.TrimSpace(v) != "" {
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				o.ProductionEnvironments = append(o.ProductionEnvironments, e)
			}
		}
	}
	return o
}

// Policies returns every rule of the pack, in the order they are reported.
func Policies(o Options) []policyx.Policy {
	s := newSettings(o)
	return []policyx.Policy{
		// Encryption at rest.
		efsEncrypted(s),
		rdsStorageEncrypted(s),
		s3DefaultEncryption(s),
		snsTopicEncrypted(s),
		kmsKeyRotation(s),
		backupVaultCustomerKey(s),
		// Encryption in transit.
		efsTLSOnly(s),
		ecsEFSTransitEncryption(s),
		rdsTLSRequired(s),
		s3TLSOnly(s),
		albTLS12(s),
		albHTTPRedirectsToHTTPS(s),
		albDropsInvalidHeaders(s),
		cloudfrontTLS(s),
		// Exposure.
		noPublicIngress(s),
		ecsNoPublicIP(s),
		rdsNotPublic(s),
		s3NoPublicAccessExceptOAC(s),
		cloudfrontS3OriginOAC(s),
		albOriginSecretPerSite(s),
		// Secrets and identity.
		secretsNotInPlainEnvironment(s),
		iamLeastPrivilege(s),
		iamTrustScoped(s),
		// Operations.
		logRetention(s),
		codebuildLogging(s),
		ecsCircuitBreaker(s),
		ecsExecLogged(s),
		efsElasticOrCreditAlarm(s),
		prodDeletionProtection(s),
		prodMultiAZ(s),
		prodCloudFrontWAF(s),
	}
}

// Pack builds the policy pack. The pack's own enforcement level is ignored
// by policyx (each policy carries its own); it is given as mandatory.
func Pack(o Options) (policyx.PolicyPack, error) {
	return policyx.NewPolicyPack(PackName, semver.MustParse(PackVersion), policyx.EnforcementLevelMandatory, Policies(o))
}

// resourceRule is a resource validation policy that only looks at the given
// types; check reports each violation through report.
func resourceRule(name, description string, level policyx.EnforcementLevel, types []string,
	check func(r policyx.AnalyzerResource, report func(format string, args ...any)),
) policyx.ResourceValidationPolicy {
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	return policyx.NewResourceValidationPolicy(name, policyx.ResourceValidationPolicyArgs{
		Description:      description,
		EnforcementLevel: level,
		ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
			if !want[args.Resource.Type] {
				return nil
			}
			check(args.Resource, func(format string, a ...any) {
				args.Manager.ReportViolation(label(args.Resource)+": "+fmt.Sprintf(format, a...), "")
			})
			return nil
		},
	})
}

// stackRule is a stack validation policy; check reports violations against
// a resource's URN through report.
func stackRule(name, description string, level policyx.EnforcementLevel,
	check func(v *stackView, report func(r policyx.AnalyzerResource, format string, args ...any)),
) policyx.StackValidationPolicy {
	return policyx.NewStackValidationPolicy(name, policyx.StackValidationPolicyArgs{
		Description:      description,
		EnforcementLevel: level,
		ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
			check(newStackView(args.Resources), func(r policyx.AnalyzerResource, format string, a ...any) {
				args.Manager.ReportViolation(label(r)+": "+fmt.Sprintf(format, a...), r.URN)
			})
			return nil
		},
	})
}
