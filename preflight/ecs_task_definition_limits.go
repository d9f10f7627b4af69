package preflight

import (
	"fmt"

	"github.com/wpfleet/wpfleet/mocks"
)

// ecs-task-definition-limits: task definitions fit RegisterTaskDefinition.
//
// Quotas (Amazon ECS service quotas): at most 10 containers per task
// definition and 64 KiB per task definition (environment and secrets
// included; there is no separate count quota for secrets, they count
// through this size). A health check has interval 5-300 s, timeout 2-120 s,
// retries 1-10 and startPeriod 0-300 s (HealthCheck); on Fargate a
// container's stopTimeout is at most 120 s (ContainerDefinition); ephemeral
// storage is 21-200 GiB (EphemeralStorage); a task needs an essential
// container; dependsOn names containers of the same task with condition
// START, COMPLETE, SUCCESS or HEALTHY, and HEALTHY only a container that
// has a health check (ContainerDependency); Fargate tasks use the awsvpc
// network mode.
func ecsTaskDefinitionLimits() Rule {
	const (
		quotas = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
		health = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html"
		cdef   = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"
		eph    = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html"
		dep    = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html"
		reg    = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"
	)
	return Rule{
		Name:    "ecs-task-definition-limits",
		Doc:     "task definitions: 10 containers, 64 KiB, health check ranges, Fargate stop timeout 120 s, 21-200 GiB disk, essential container, dependsOn targets",
		Sources: []string{quotas, health, cdef, eph, dep, reg},
		check: func(g *Graph, rep *report) {
			for _, td := range g.Of(typeTaskDefinition) {
				cs := containers(g, td)
				if len(cs) > 10 {
					rep.add(td, "containerDefinitions", len(cs), quotas, "at most 10 containers per task definition; there are %d", len(cs))
				}
				if raw, ok := text(td.Inputs["containerDefinitions"]); ok && len(raw) > 64*1024 {
					rep.add(td, "containerDefinitions", fmt.Sprintf("%d bytes", len(raw)), quotas, "a task definition is at most 64 KiB")
				}
				if size, ok := num(at(td.Inputs["ephemeralStorage"], "sizeInGib")); ok && (size < 21 || size > 200) {
					rep.add(td, "ephemeralStorage.sizeInGib", size, eph, "ephemeral storage is 21-200 GiB")
				}
				fargate := false
				for _, c := range strs(td.Inputs["requiresCompatibilities"]) {
					fargate = fargate || c == "FARGATE"
				}
				if nm, ok := text(td.Inputs["networkMode"]); fargate && ok && nm != "awsvpc" {
					rep.add(td, "networkMode", nm, reg, "Fargate tasks use the awsvpc network mode")
				}
				checkContainers(rep, td, cs, fargate, health, cdef, dep)
			}
		},
	}
}

func checkContainers(rep *report, td *mocks.Resource, cs []container, fargate bool, health, cdef, dep string) {
	byName := map[string]container{}
	essential := false
	for _, c := range cs {
		byName[str(c.def["name"])] = c
		if e, set := c.def["essential"]; !set || truthy(e) {
			essential = true
		}
	}
	if len(cs) > 0 && !essential {
		rep.add(td, "containerDefinitions", "no essential container", cdef, "a task definition needs at least one essential container")
	}
	for _, c := range cs {
		hc := asMap(c.def["healthCheck"])
		for _, lim := range []struct {
			key      string
			min, max float64
		}{{"interval", 5, 300}, {"timeout", 2, 120}, {"retries", 1, 10}, {"startPeriod", 0, 300}} {
			if v, ok := num(hc[lim.key]); ok && (v < lim.min || v > lim.max) {
				rep.add(td, c.field+".healthCheck."+lim.key, v, health, "%s is %g-%g", lim.key, lim.min, lim.max)
			}
		}
		if v, ok := num(c.def["stopTimeout"]); ok && fargate && v > 120 {
			rep.add(td, c.field+".stopTimeout", v, cdef, "on Fargate the stop timeout is at most 120 seconds")
		}
		for i, d := range items(c.def["dependsOn"]) {
			field := fmt.Sprintf("%s.dependsOn[%d]", c.field, i)
			name, cond := str(at(d, "containerName")), str(at(d, "condition"))
			target, ok := byName[name]
			switch {
			case !ok:
				rep.add(td, field+".containerName", name, dep, "dependsOn names a container of the same task definition")
			case cond != "START" && cond != "COMPLETE" && cond != "SUCCESS" && cond != "HEALTHY":
				rep.add(td, field+".condition", cond, dep, "a dependency condition is START, COMPLETE, SUCCESS or HEALTHY")
			case cond == "HEALTHY" && target.def["healthCheck"] == nil:
				rep.add(td, field+".condition", cond, dep, "HEALTHY needs a health check on container %s", name)
			}
		}
	}
}
