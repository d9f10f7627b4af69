package preflight

import (
	"regexp"
)

// ecs-names: ECS cluster, service, task definition family and container
// names fit the ECS API.
//
// Up to 255 letters (uppercase and lowercase), numbers, underscores and
// hyphens for a cluster name (CreateCluster), a service name
// (CreateService; unique in its cluster), a task definition family and a
// container name (RegisterTaskDefinition, ContainerDefinition name); a port
// mapping name is at most 64 characters of lowercase letters, digits,
// underscores and hyphens and cannot start with a hyphen (PortMapping name).
// Auto-names count (the logical name plus 8 characters).
func ecsNames() Rule {
	const (
		cluster  = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html"
		service  = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html"
		register = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"
		cdef     = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"
		port     = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html"
	)
	spec := textSpec{min: 1, max: 255, allowed: ecsNameRe, describe: "letters, numbers, underscores and hyphens"}
	return Rule{
		Name:    "ecs-names",
		Doc:     "ECS cluster, service, family and container names: 1-255 of [A-Za-z0-9_-]; port mapping names 64 of [a-z0-9_-]",
		Sources: []string{cluster, service, register, cdef, port},
		check: func(g *Graph, rep *report) {
			for _, c := range g.Of(typeECSCluster) {
				if name, ok := physical(c, "name"); ok {
					checkText(rep, c, "name", name, spec, cluster)
				}
			}
			for _, s := range g.Of(typeECSService) {
				if name, ok := physical(s, "name"); ok {
					checkText(rep, s, "name", name, spec, service)
				}
			}
			for _, td := range g.Of(typeTaskDefinition) {
				checkText(rep, td, "family", td.Inputs["family"], spec, register)
				for _, c := range containers(g, td) {
					checkText(rep, td, c.field+".name", c.def["name"], spec, cdef)
					for _, pm := range items(c.def["portMappings"]) {
						if n, ok := text(at(pm, "name")); ok && (!portNameRe.MatchString(n) || len(n) > 64) {
							rep.add(td, c.field+".portMappings.name", n, port, "a port mapping name is 1-64 lowercase letters, digits, underscores and hyphens, not starting with a hyphen")
						}
					}
				}
			}
		},
	}
}

var (
	ecsNameRe  = regexp.MustCompile(`^[a-zA-Z0-9_-]*$`)
	portNameRe = regexp.MustCompile(`^[a-z0-9_][a-z0-9_-]*$`)
)
