package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// ecs-circuit-breaker: a failing deployment stops and rolls back by itself.
//
// Checks: aws:ecs/service:Service using the ECS deployment controller (the
// default) has deploymentCircuitBreaker.enable and .rollback true.
// Why: a release whose tasks crash (a bad image, a missing secret, a
// release the sync agent cannot fetch) otherwise keeps replacing tasks
// forever while the old ones drain, and `pulumi up` waits; with the breaker
// ECS returns to the last working task definition. (AWS Well-Architected
// REL; FSBP has no control for it.)
// Level: mandatory.
// Not applicable: services with the CODE_DEPLOY or EXTERNAL controller (they
// roll back their own way), other types. Unknown values (preview): not
// judged.
func ecsCircuitBreaker(settings) policyx.Policy {
	return resourceRule("ecs-circuit-breaker",
		"ECS services have the deployment circuit breaker with rollback on.",
		policyx.EnforcementLevelMandatory,
		[]string{typeECSService},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			ctl := prop(r.Properties, "deploymentController", "type")
			if unknown(ctl) || (str(ctl) != "" && str(ctl) != "ECS") {
				return
			}
			cb := prop(r.Properties, "deploymentCircuitBreaker")
			if unknown(cb) {
				return
			}
			if e := at(cb, "enable"); !unknown(e) && !isTrue(e) {
				report("deploymentCircuitBreaker.enable is not true")
			}
			if rb := at(cb, "rollback"); !unknown(rb) && !isTrue(rb) {
				report("deploymentCircuitBreaker.rollback is not true")
			}
		})
}
