package preflight

import (
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// aurora-mysql: Aurora MySQL clusters use a real engine version, instance
// classes Aurora MySQL offers, a matching parameter group family and a
// valid Serverless v2 capacity range.
//
// engineVersion is one of data/aurora-mysql-versions.txt; a cluster
// instance's instanceClass one of data/aurora-mysql-instance-classes.txt;
// db.serverless needs the cluster's serverlessv2ScalingConfiguration, whose
// capacities are multiples of 0.5 ACU, minCapacity 0-256 (0 only from
// Aurora MySQL 3.08.0), maxCapacity 1-256 and not below minCapacity
// (Aurora Serverless v2 capacity); the cluster parameter group's family is
// aurora-mysql8.0 for 8.0.* versions and aurora-mysql5.7 for 5.7.*.
// Not checked offline: whether a class is offered in the Region
// (describe-orderable-db-instance-options).
func auroraMySQL() Rule {
	versions := loadSet("aurora-mysql-versions")
	classes := loadSet("aurora-mysql-instance-classes")
	const capacity = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html"
	return Rule{
		Name:    "aurora-mysql",
		Doc:     "Aurora MySQL engine versions, instance classes, parameter group family, Serverless v2 capacity (" + versions.file + ", " + classes.file + ")",
		Sources: append(append(append([]string(nil), versions.sources...), classes.sources...), capacity),
		check: func(g *Graph, rep *report) {
			for _, c := range g.Of(typeRDSCluster) {
				if str(c.Inputs["engine"]) != "aurora-mysql" {
					continue
				}
				v, ok := text(c.Inputs["engineVersion"])
				if ok && !versions.has(v) {
					rep.add(c, "engineVersion", v, versions.source(), "%s", versions.refusal("Aurora MySQL version "+v))
				}
				checkServerlessV2(rep, c, v, capacity)
				checkParamFamily(g, rep, c, v, versions.sources[0])
			}
			for _, i := range g.Of(typeRDSInstance) {
				if str(i.Inputs["engine"]) != "aurora-mysql" {
					continue
				}
				class, ok := text(i.Inputs["instanceClass"])
				if !ok {
					continue
				}
				if !classes.has(class) {
					rep.add(i, "instanceClass", class, classes.source(), "%s", classes.refusal("instance class "+class+" for Aurora MySQL"))
				}
				if class == "db.serverless" {
					if c := clusterOf(g, i); c != nil && c.Inputs["serverlessv2ScalingConfiguration"] == nil {
						rep.add(i, "instanceClass", class, capacity, "db.serverless needs serverlessv2ScalingConfiguration on cluster %s", c.Name)
					}
				}
			}
		},
	}
}

func clusterOf(g *Graph, inst *mocks.Resource) *mocks.Resource {
	id := str(inst.Inputs["clusterIdentifier"])
	for _, c := range g.Of(typeRDSCluster) {
		if cid, _ := physical(c, "clusterIdentifier"); cid == id || c.ID == id {
			return c
		}
	}
	return nil
}

func checkServerlessV2(rep *report, c *mocks.Resource, version, src string) {
	cfg := asMap(c.Inputs["serverlessv2ScalingConfiguration"])
	if cfg == nil {
		return
	}
	minC, okMin := num(cfg["minCapacity"])
	maxC, okMax := num(cfg["maxCapacity"])
	half := func(f float64) bool { return f*2 == float64(int64(f*2)) }
	if okMin && (minC < 0 || minC > 256 || !half(minC)) {
		rep.add(c, "serverlessv2ScalingConfiguration.minCapacity", minC, src, "minCapacity is 0-256 ACUs in steps of 0.5")
	}
	if okMin && minC == 0 && strings.HasPrefix(version, "8.0.mysql_aurora.3.") && version < "8.0.mysql_aurora.3.08.0" {
		rep.add(c, "serverlessv2ScalingConfiguration.minCapacity", minC, src, "a minimum of 0 ACUs (auto-pause) needs Aurora MySQL 3.08.0 or later; the cluster runs %s", version)
	}
	if okMax && (maxC < 1 || maxC > 256 || !half(maxC)) {
		rep.add(c, "serverlessv2ScalingConfiguration.maxCapacity", maxC, src, "maxCapacity is 1-256 ACUs in steps of 0.5")
	}
	if okMin && okMax && maxC < minC {
		rep.add(c, "serverlessv2ScalingConfiguration.maxCapacity", maxC, src, "maxCapacity is at least minCapacity (%g)", minC)
	}
}

func checkParamFamily(g *Graph, rep *report, c *mocks.Resource, version, src string) {
	want := ""
	switch {
	case strings.HasPrefix(version, "8.0."):
		want = "aurora-mysql8.0"
	case strings.HasPrefix(version, "5.7."):
		want = "aurora-mysql5.7"
	default:
		return
	}
	name := str(c.Inputs["dbClusterParameterGroupName"])
	for _, p := range g.Of(typeRDSParamGroup) {
		if pn, _ := physical(p, "name"); pn == name || p.ID == name {
			if fam := str(p.Inputs["family"]); fam != want {
				rep.add(p, "family", fam, src, "cluster %s runs %s, which takes a %s parameter group", c.Name, version, want)
			}
		}
	}
}
