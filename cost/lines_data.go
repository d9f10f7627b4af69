package cost

import (
	"fmt"

	"github.com/wpfleet/wpfleet/mocks"
)

func (b *builder) database() {
	for _, c := range b.g.of("aws:rds/cluster:Cluster") {
		id := str(c.Inputs["clusterIdentifier"])
		classes := map[string]int{}
		for _, i := range b.g.of("aws:rds/clusterInstance:ClusterInstance") {
			if b.g.dep(i, "clusterIdentifier", c.Type, func(d *mocks.Resource) bool { return d == c && id != "" && str(i.Inputs["clusterIdentifier"]) == id }) == c {
				classes[str(i.Inputs["instanceClass"])]++
			}
		}
		for class, n := range classes {
			if class == "db.serverless" {
				acu, sc := b.u.DBServerlessAverageACU, obj(c.Inputs["serverlessv2ScalingConfiguration"])
				if mx := num(sc["maxCapacity"]); mx > 0 {
					acu = min(acu, mx)
				}
				pr := b.p("aurora.acuHour")
				b.add("database", "Aurora Serverless v2 capacity", float64(n)*acu*HoursPerMonth*pr, true,
					"%d instance(s) x %.2f ACU on average (usage dbServerlessAverageAcu; scaling %v-%v ACU) x 730 h x $%.3f",
					n, acu, sc["minCapacity"], sc["maxCapacity"], pr)
				continue
			}
			pr := b.p("aurora." + class)
			b.add("database", fmt.Sprintf("Aurora instances (%s)", class), float64(n)*HoursPerMonth*pr, false,
				"%d instance(s) x 730 h x $%.3f (WordPress uses only the writer unless a drop-in splits reads: readers are failover targets)", n, pr)
		}
		if str(c.Inputs["storageType"]) == "aurora-iopt1" {
			b.notes = append(b.notes, "Aurora I/O-Optimized is priced as Aurora Standard (no I/O-Optimized prices in the price files)")
		}
		st, io := b.p("aurora.storageGBMonth"), b.p("aurora.ioMillion")
		b.add("database", "Aurora storage", b.u.DBStorageGB*st, true, "%.0f GB x $%.3f (usage dbStorageGB)", b.u.DBStorageGB, st)
		b.add("database", "Aurora I/O", b.u.DBIOMillionsPerMonth*io, true, "%.0f million requests x $%.2f (usage dbIOMillionsPerMonth)", b.u.DBIOMillionsPerMonth, io)
	}
}

// pullGiB is the image data pulled by task starts in a month.
func (b *builder) pullGiB() float64 {
	total := 0.0
	for _, w := range b.work {
		mib := 0.0
		for _, img := range w.TD.Images {
			mib += b.u.ImageSize(img)
		}
		total += w.TaskStarts * mib / 1024
	}
	return total
}

func (b *builder) taskStarts() float64 {
	n := 0.0
	for _, w := range b.work {
		n += w.TaskStarts
	}
	return n
}

func (b *builder) networkLines() {
	n := b.net
	if n.NATs > 0 {
		h := b.p("nat.hour")
		b.add("network", "NAT gateway hours", float64(n.NATs)*HoursPerMonth*h, false, "%d NAT gateway(s) x 730 h x $%.3f", n.NATs, h)
		pulls, logs := b.pullGiB(), b.logIngestGiB()
		pullNote := "image layers come from S3 through NAT: no S3 gateway endpoint"
		if n.S3Gateway {
			pulls, pullNote = 0, "image layers bypass NAT through the S3 gateway endpoint"
		}
		if n.Interfaces["logs"] > 0 {
			logs = 0
		}
		gb := pulls + logs + b.u.NATOtherGBPerMonth
		pr := b.p("nat.gb")
		b.add("network", "NAT gateway data processed", gb*pr, true,
			"%.0f GB x $%.3f: image pulls %.0f GB (%.0f task starts; %s), logs to CloudWatch %.0f GB, other %.0f GB (usage natOtherGBPerMonth)",
			gb, pr, pulls, b.taskStarts(), pullNote, logs, b.u.NATOtherGBPerMonth)
	}
	b.publicIPv4()
	b.loadBalancers()
	if len(n.Interfaces) > 0 {
		azs := 0
		for _, a := range n.Interfaces {
			azs += a
		}
		h, g := b.p("vpce.interfaceHour"), b.p("vpce.interfaceGB")
		gb := 0.0
		if n.Interfaces["logs"] > 0 {
			gb += b.logIngestGiB()
		}
		b.add("network", "Interface VPC endpoints", float64(azs)*HoursPerMonth*h+gb*g, true,
			"%d endpoint(s) in %d endpoint-AZs x 730 h x $%.3f + %.0f GB x $%.2f", len(n.Interfaces), azs, h, gb, g)
	}
	if n.S3Gateway {
		b.add("network", "S3 gateway VPC endpoint", 0, false, "free: image layers and S3 traffic bypass NAT")
	}
	if t := b.traffic; t.DirectGiB > 0 {
		pr := b.p("egress.internetGB")
		b.add("network", "Data transfer out to the internet (not through CloudFront)", t.DirectGiB*pr, true,
			"%.0f GB x $%.3f (%.0f%% of viewer traffic not behind a distribution)", t.DirectGiB, pr, (1-b.cdnShare)*100)
	}
}

func (b *builder) publicIPv4() {
	nodes := 0
	for _, a := range b.net.ALBs {
		if a.Public {
			nodes += a.Nodes
		}
	}
	tasks := 0.0
	for _, w := range b.work {
		if w.PublicIP {
			tasks += w.TaskHours / HoursPerMonth
		}
	}
	count := float64(b.net.NATEIPs+b.net.EIPs+nodes) + tasks
	if count == 0 {
		return
	}
	pr := b.p("ipv4.hour")
	b.add("network", "Public IPv4 addresses", count*HoursPerMonth*pr, false,
		"%.1f addresses x 730 h x $%.3f: NAT gateways %d, Elastic IPs %d, internet-facing ALB nodes (one per subnet) %d, tasks with public IPs %.1f",
		count, pr, b.net.NATEIPs, b.net.EIPs, nodes, tasks)
}

func (b *builder) loadBalancers() {
	albs := b.net.ALBs
	if len(albs) == 0 {
		return
	}
	h, l := b.p("alb.hour"), b.p("alb.lcuHour")
	b.add("network", "Application Load Balancer hours", float64(len(albs))*HoursPerMonth*h, false, "%d ALB(s) x 730 h x $%.4f", len(albs), h)
	rules := float64(len(b.g.of("aws:lb/listenerRule:ListenerRule")))
	per := float64(len(albs))
	lcus := ALBLCUs(b.traffic.ALBRequests/per, b.traffic.ALBGiB/per, (rules/per+1)/2, b.u.RequestsPerConn, 60) * per
	b.add("network", "Application Load Balancer LCUs", lcus*HoursPerMonth*l, true,
		"%.2f LCU on average x 730 h x $%.3f: %.1f M requests, %.0f GB to targets, %.0f listener rules (usage traffic)",
		lcus, l, b.traffic.ALBRequests/1e6, b.traffic.ALBGiB, rules)
}
