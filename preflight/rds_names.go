package preflight

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// rds-names: Aurora identifiers, names and windows fit CreateDBCluster and
// CreateDBInstance.
//
// Cluster and instance identifiers are 1-63 letters, digits or hyphens, a
// parameter group name and a final snapshot identifier 1-255 of the same:
// first a letter, no hyphen at the end, no two hyphens in a row; a subnet
// group name at most 255 letters, digits, periods, underscores, spaces or
// hyphens and not "default". A master user name is 1-16 letters, digits
// or underscores starting with a letter. The backup window is
// hh24:mi-hh24:mi in UTC, at least 30 minutes and not overlapping the
// maintenance window (ddd:hh24:mi-ddd:hh24:mi, at least 30 minutes);
// backupRetentionPeriod is 1-35 days.
// Not checked offline: MySQL reserved words as the master user name.
func rdsNames() Rule {
	const (
		cluster  = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"
		instance = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
		subnet   = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html"
		params   = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterParameterGroup.html"
	)
	return Rule{
		Name:    "rds-names",
		Doc:     "Aurora identifiers (63/255, letter first, no -- or trailing -), subnet group names, master user 1-16, backup and maintenance windows, retention 1-35",
		Sources: []string{cluster, instance, subnet, params},
		check: func(g *Graph, rep *report) {
			for _, c := range g.Of(typeRDSCluster) {
				rdsIdentifier(rep, c, "clusterIdentifier", 63, cluster)
				if id, ok := text(c.Inputs["finalSnapshotIdentifier"]); ok {
					rdsIdentifierValue(rep, c, "finalSnapshotIdentifier", id, 255, cluster)
				}
				if u, ok := text(c.Inputs["masterUsername"]); ok && !masterUserRe.MatchString(u) {
					rep.add(c, "masterUsername", u, cluster, "a master user name is 1-16 letters, digits or underscores starting with a letter")
				}
				if d, ok := num(c.Inputs["backupRetentionPeriod"]); ok && (d < 1 || d > 35) {
					rep.add(c, "backupRetentionPeriod", d, cluster, "backupRetentionPeriod is 1-35 days")
				}
				checkWindows(rep, c, cluster)
			}
			for _, i := range g.Of(typeRDSInstance) {
				rdsIdentifier(rep, i, "identifier", 63, instance)
			}
			for _, p := range g.Of(typeRDSParamGroup) {
				rdsIdentifier(rep, p, "name", 255, params)
			}
			for _, s := range g.Of(typeRDSSubnetGroup) {
				if name, ok := physical(s, "name"); ok {
					checkText(rep, s, "name", name, textSpec{min: 1, max: 255, allowed: subnetGroupRe,
						describe: "letters, digits, periods, underscores, spaces or hyphens"}, subnet)
					if strings.EqualFold(name, "default") {
						rep.add(s, "name", name, subnet, "a subnet group cannot be named default")
					}
				}
			}
		},
	}
}

var (
	rdsIDRe       = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*$`)
	subnetGroupRe = regexp.MustCompile(`^[a-zA-Z0-9._ -]*$`)
	masterUserRe  = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,15}$`)
	backupWinRe   = regexp.MustCompile(`^(\d\d):(\d\d)-(\d\d):(\d\d)$`)
	maintWinRe    = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):(\d\d):(\d\d)-(mon|tue|wed|thu|fri|sat|sun):(\d\d):(\d\d)$`)
)

func rdsIdentifier(rep *report, r *mocks.Resource, field string, max int, src string) {
	if id, ok := physical(r, field); ok {
		rdsIdentifierValue(rep, r, field, id, max, src)
	}
}

func rdsIdentifierValue(rep *report, r *mocks.Resource, field, id string, max int, src string) {
	if len(id) < 1 || len(id) > max || !rdsIDRe.MatchString(id) || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
		rep.add(r, field, id, src, "1-%d letters, digits or hyphens: first a letter, no hyphen at the end, no two hyphens in a row", max)
	}
}

// checkWindows checks the backup and maintenance windows and their overlap
// (minutes of the week; the backup window counts on every day).
func checkWindows(rep *report, c *mocks.Resource, src string) {
	b, bok := text(c.Inputs["preferredBackupWindow"])
	m, mok := text(c.Inputs["preferredMaintenanceWindow"])
	var bStart, bEnd, mStart, mEnd int
	if bok {
		p := backupWinRe.FindStringSubmatch(b)
		if p == nil {
			rep.add(c, "preferredBackupWindow", b, src, "the backup window is hh24:mi-hh24:mi in UTC")
			bok = false
		} else {
			bStart, bEnd = hm(p[1], p[2]), hm(p[3], p[4])
			if d := (bEnd - bStart + 1440) % 1440; d < 30 {
				rep.add(c, "preferredBackupWindow", b, src, "the backup window is at least 30 minutes")
			}
		}
	}
	if mok {
		p := maintWinRe.FindStringSubmatch(strings.ToLower(m))
		if p == nil {
			rep.add(c, "preferredMaintenanceWindow", m, src, "the maintenance window is ddd:hh24:mi-ddd:hh24:mi in UTC")
			return
		}
		mStart, mEnd = day(p[1])*1440+hm(p[2], p[3]), day(p[4])*1440+hm(p[5], p[6])
		if d := (mEnd - mStart + 7*1440) % (7 * 1440); d < 30 {
			rep.add(c, "preferredMaintenanceWindow", m, src, "the maintenance window is at least 30 minutes")
		}
	}
	if !bok || !mok {
		return
	}
	for d := 0; d < 7; d++ {
		s, e := d*1440+bStart, d*1440+bEnd
		if bEnd < bStart {
			e += 1440
		}
		me := mEnd
		if mEnd < mStart {
			me += 7 * 1440
		}
		if s < me && mStart < e {
			rep.add(c, "preferredBackupWindow", fmt.Sprintf("%s / %s", b, m), src, "the backup window must not overlap the maintenance window")
			return
		}
	}
}

func hm(h, m string) int {
	var hh, mm int
	fmt.Sscanf(h, "%d", &hh)
	fmt.Sscanf(m, "%d", &mm)
	return hh*60 + mm
}

var weekdays = map[string]int{"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

func day(d string) int { return weekdays[d] }
