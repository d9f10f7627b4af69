package preflight

import (
	"github.com/wpfleet/wpfleet/mocks"
)

// tasks-reach-database: every task (and CodeBuild project) that is given a
// database endpoint of the graph reaches it on the database port.
//
// A task whose environment holds an Aurora cluster's endpoint or reader
// endpoint (DB_HOST) connects to it on the cluster's port (3306 for
// MySQL): its security groups must allow that port out to the cluster's
// vpcSecurityGroupIds, and those must allow it in from the task's groups
// (Controlling access with security groups, Amazon Aurora).
func tasksReachDatabase() Rule {
	const src = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.RDSSecurityGroups.html"
	return Rule{
		Name:    "tasks-reach-database",
		Doc:     "tasks and CodeBuild projects given an Aurora endpoint: egress on its port to the cluster's groups, which admit them",
		Sources: []string{src},
		check: func(g *Graph, rep *report) {
			n := g.net()
			for _, w := range workloads(g) {
				for _, c := range databasesOf(g, w) {
					port := 3306.0
					if p, ok := num(c.Inputs["port"]); ok {
						port = p
					}
					groups := strs(c.Inputs["vpcSecurityGroupIds"])
					if len(groups) == 0 {
						continue
					}
					if !n.egress(w.groups, port, dest{groups: groups}) {
						rep.add(w.r, w.field, w.groups, src, "%s connects to cluster %s, but its security groups allow no TCP %g to the cluster's groups %v", w.what, c.Name, port, groups)
					}
					if !n.ingress(groups, w.groups, port) {
						rep.add(w.r, w.field, w.groups, src, "%s connects to cluster %s, but the cluster's groups %v admit no TCP %g from its groups", w.what, c.Name, groups, port)
					}
				}
			}
		},
	}
}

// databasesOf returns the clusters whose endpoint the workload is given.
func databasesOf(g *Graph, w workload) []*mocks.Resource {
	values := map[string]bool{}
	if w.td != nil {
		for _, c := range containers(g, w.td) {
			for _, v := range envOf(c) {
				values[v] = true
			}
		}
	} else {
		for _, e := range items(at(w.r.Inputs, "environment.environmentVariables")) {
			values[str(at(e, "value"))] = true
		}
	}
	var out []*mocks.Resource
	for _, c := range g.Of(typeRDSCluster) {
		if values[str(c.Outputs["endpoint"])] || values[str(c.Outputs["readerEndpoint"])] {
			out = append(out, c)
		}
	}
	return out
}
