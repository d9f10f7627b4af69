package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// ecs-no-public-ip: tasks get no public IP address.
//
// Checks: aws:ecs/service:Service and the ECS targets of
// aws:cloudwatch/eventTarget:EventTarget (wpfleet's cron tasks) have
// networkConfiguration.assignPublicIp unset or false.
// Why: AWS FSBP ECS.2 (ECS services should not have public IP addresses
// assigned to them automatically). A task with a public IP in a public
// subnet is reachable around the ALB, subject only to its security group;
// wpfleet's tasks live in private subnets and leave through NAT.
// Level: mandatory.
// Not applicable: other types, targets that are not ECS tasks. Unknown
// values (preview): not judged.
func ecsNoPublicIP(settings) policyx.Policy {
	return resourceRule("ecs-no-public-ip",
		"ECS services and scheduled tasks assign no public IP (FSBP ECS.2).",
		policyx.EnforcementLevelMandatory,
		[]string{typeECSService, typeEventTarget},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			path := []string{"networkConfiguration", "assignPublicIp"}
			if r.Type == typeEventTarget {
				path = append([]string{"ecsTarget"}, path...)
			}
			if isTrue(prop(r.Properties, path...)) {
				report("assignPublicIp is true; run tasks in private subnets without public IPs")
			}
		})
}
