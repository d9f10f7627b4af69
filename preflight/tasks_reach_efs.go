package preflight

import (
	"strings"
)

// tasks-reach-efs: every task (and CodeBuild project) that mounts an EFS
// file system reaches its mount targets on NFS, TCP 2049.
//
// The client's security groups must allow outbound TCP 2049 to the mount
// targets' security groups, and those must allow inbound TCP 2049 from the
// client (Using VPC security groups for Amazon EFS: "the security groups
// ... must allow inbound access for the TCP protocol on the NFS port from
// ... the client"). Without it the mount times out and the task stops.
// Volumes come from task definitions (efsVolumeConfiguration) and CodeBuild
// fileSystemLocations.
// Not checked offline: file systems without mount targets in the graph.
func tasksReachEFS() Rule {
	const src = "https://docs.aws.amazon.com/efs/latest/ug/network-access.html"
	return Rule{
		Name:    "tasks-reach-efs",
		Doc:     "tasks and CodeBuild projects mounting EFS: egress TCP 2049 to the mount targets' groups, which admit them",
		Sources: []string{src},
		check: func(g *Graph, rep *report) {
			n := g.net()
			for _, w := range workloads(g) {
				for _, fs := range mountedFileSystems(g, w) {
					var mtGroups []string
					for _, mt := range g.Of(typeEFSMountTarget) {
						if str(mt.Inputs["fileSystemId"]) == fs {
							mtGroups = append(mtGroups, strs(mt.Inputs["securityGroups"])...)
						}
					}
					if len(mtGroups) == 0 {
						continue
					}
					if !n.egress(w.groups, 2049, dest{groups: mtGroups}) {
						rep.add(w.r, w.field, w.groups, src, "%s mounts %s, but its security groups allow no TCP 2049 to the mount targets' groups %v", w.what, fs, uniq(mtGroups))
					}
					if !n.ingress(mtGroups, w.groups, 2049) {
						rep.add(w.r, w.field, w.groups, src, "%s mounts %s, but the mount targets' groups %v admit no TCP 2049 from its groups", w.what, fs, uniq(mtGroups))
					}
				}
			}
		},
	}
}

// mountedFileSystems returns the EFS file system IDs a workload mounts.
func mountedFileSystems(g *Graph, w workload) []string {
	var out []string
	if w.td != nil {
		for _, v := range items(w.td.Inputs["volumes"]) {
			if fs := str(at(v, "efsVolumeConfiguration.fileSystemId")); fs != "" {
				out = append(out, fs)
			}
		}
		return uniq(out)
	}
	for _, l := range items(w.r.Inputs["fileSystemLocations"]) {
		loc := str(at(l, "location"))
		if i := strings.Index(loc, ".efs."); i > 0 {
			out = append(out, loc[:i])
		}
	}
	return uniq(out)
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
