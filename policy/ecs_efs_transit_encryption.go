package policy

import (
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// ecs-efs-transit-encryption: ECS tasks mount EFS over TLS with IAM
// authorization.
//
// Checks: every `volumes[].efsVolumeConfiguration` of an
// aws:ecs/taskDefinition:TaskDefinition has `transitEncryption: ENABLED` and
// `authorizationConfig.iam: ENABLED`.
// Why: encryption in transit (AWS Config ecs-task-definition-efs-encryption-
// enabled), and IAM authorization is what lets the file system policy and
// each task role's elasticfilesystem:ClientMount/ClientWrite grants decide
// who mounts what (wpfleet's web tasks mount their own access point
// read-only). Without IAM the client is authorized by network reachability
// alone.
// Level: mandatory.
// Not applicable: task definitions without EFS volumes. Unknown volume
// settings (preview): not judged.
func ecsEFSTransitEncryption(settings) policyx.Policy {
	return resourceRule("ecs-efs-transit-encryption",
		"ECS task definitions mount EFS with TLS and IAM authorization.",
		policyx.EnforcementLevelMandatory,
		[]string{typeECSTaskDefinition},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			for i, vol := range items(prop(r.Properties, "volumes")) {
				cfg := at(vol, "efsVolumeConfiguration")
				if cfg.IsNull() || unknown(cfg) {
					continue
				}
				name := str(at(vol, "name"))
				if name == "" {
					name = "#" + strconv.Itoa(i)
				}
				if te := at(cfg, "transitEncryption"); !unknown(te) && str(te) != "ENABLED" {
					report("EFS volume %s: transitEncryption is %q, not ENABLED", name, str(te))
				}
				if iam := at(cfg, "authorizationConfig", "iam"); !unknown(iam) && str(iam) != "ENABLED" {
					report("EFS volume %s: authorizationConfig.iam is %q, not ENABLED", name, str(iam))
				}
			}
		})
}
