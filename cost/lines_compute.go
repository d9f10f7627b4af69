package cost

import (
	"fmt"
	"sort"
	"strings"
)

// fargateHours sums vCPU-hours and GB-hours per architecture.
type fargateHours map[string][2]float64

func (f fargateHours) add(td *taskDef, hours float64) {
	v := f[td.Arch]
	v[0] += td.VCPU * hours
	v[1] += td.MemGB * hours
	f[td.Arch] = v
}

// price prices the hours at on-demand rates times factor, with a basis.
func (b *builder) fargate(f fargateHours, factor float64) (float64, string) {
	var usd float64
	var parts []string
	archs := make([]string, 0, len(f))
	for a := range f {
		archs = append(archs, a)
	}
	sort.Strings(archs)
	for _, a := range archs {
		v := f[a]
		cpu, gb := b.p("fargate."+a+".vcpuHour")*factor, b.p("fargate."+a+".gbHour")*factor
		usd += v[0]*cpu + v[1]*gb
		parts = append(parts, fmt.Sprintf("%s %.0f vCPU-h x $%.5f + %.0f GB-h x $%.5f", a, v[0], cpu, v[1], gb))
	}
	return usd, strings.Join(parts, "; ")
}

func (b *builder) compute() {
	svcOD, svcSpot, schOD, schSpot := fargateHours{}, fargateHours{}, fargateHours{}, fargateHours{}
	var services, tasks, spotTasks, runs, spotRuns, ephemeral float64
	for _, w := range b.work {
		ephemeral += EphemeralExtraGiB(w.TD.EphemeralGiB) * w.TaskHours
		if w.Kind == "scheduled" {
			runs += w.TaskStarts
			spotRuns += w.TaskStarts * w.SpotShare
			schOD.add(w.TD, w.TaskHours*(1-w.SpotShare))
			schSpot.add(w.TD, w.TaskHours*w.SpotShare)
			continue
		}
		services++
		tasks += w.AvgTasks
		spotTasks += w.AvgTasks * w.SpotShare
		svcOD.add(w.TD, w.TaskHours*(1-w.SpotShare))
		svcSpot.add(w.TD, w.TaskHours*w.SpotShare)
	}
	ratio := b.p("fargate.spotRatio")
	if tasks-spotTasks > 0 {
		usd, basis := b.fargate(svcOD, 1)
		b.add("compute", "Fargate service tasks, on-demand", usd, true,
			"%.1f of %.1f tasks on average in %.0f services x 730 h: %s", tasks-spotTasks, tasks, services, basis)
	}
	if spotTasks > 0 {
		usd, basis := b.fargate(svcSpot, ratio)
		b.add("compute", "Fargate service tasks, Spot", usd, true,
			"%.1f of %.1f tasks on average x 730 h at %.0f%% of on-demand: %s", spotTasks, tasks, ratio*100, basis)
	}
	billed := BilledTaskSeconds(b.u.TaskStartSeconds, b.u.ScheduledRunSeconds)
	how := fmt.Sprintf("from %d EventBridge schedules, %.0f s billed each (pull %.0f s + run %.0f s, 60 s minimum)",
		b.countKind("scheduled"), billed, b.u.TaskStartSeconds, b.u.ScheduledRunSeconds)
	if runs-spotRuns > 0 {
		usd, basis := b.fargate(schOD, 1)
		b.add("compute", "Fargate scheduled tasks, on-demand", usd, true, "%.0f runs a month %s: %s", runs-spotRuns, how, basis)
	}
	if spotRuns > 0 {
		usd, basis := b.fargate(schSpot, ratio)
		b.add("compute", "Fargate scheduled tasks, Spot", usd, true, "%.0f runs a month %s, at %.0f%% of on-demand: %s",
			spotRuns, how, ratio*100, basis)
	}
	if ephemeral > 0 {
		price := b.p("fargate.ephemeralGBHour")
		b.add("compute", "Fargate ephemeral storage above 20 GiB", ephemeral*price, true,
			"%.0f GiB-h above the included 20 GiB x $%.6f", ephemeral, price)
	}
}

func (b *builder) countKind(kind string) int {
	n := 0
	for _, w := range b.work {
		if w.Kind == kind {
			n++
		}
	}
	return n
}

// efsReads is the elastic-throughput read volume a month, by cause.
type efsReads struct {
	StartsGiB, ReleasesGiB, PollGiB, EFSModeGiB, JobsGiB float64
}

func (r efsReads) total() float64 {
	return r.StartsGiB + r.ReleasesGiB + r.PollGiB + r.EFSModeGiB + r.JobsGiB
}

func (b *builder) efsReads() efsReads {
	var r efsReads
	art := b.u.ReleaseArtifactMiB / 1024
	var sites, efsTasks float64
	for _, w := range b.work {
		if w.Kind == "service" && (w.TD.LocalSync || w.TD.EFSMode) {
			sites += float64(w.TD.Sites)
		}
		if w.Kind == "service" && w.TD.EFSMode {
			efsTasks += w.AvgTasks
		}
	}
	for _, w := range b.work {
		s := float64(w.TD.Sites)
		switch {
		case w.Kind == "scheduled" && w.TD.LocalSync:
			r.JobsGiB += w.TaskStarts * s * art
		case w.Kind == "scheduled" && w.TD.EFSMode:
			r.JobsGiB += w.TaskStarts * b.u.EFSModeMiBPerRun / 1024
		case w.TD.LocalSync:
			r.StartsGiB += w.TaskStarts * s * art
			if sites > 0 {
				r.ReleasesGiB += w.AvgTasks * b.u.ReleasesPerMonth * s / sites * art
			}
			poll := b.u.SyncPollSeconds
			if w.TD.SyncPollSeconds > 0 {
				poll = w.TD.SyncPollSeconds
			}
			r.PollGiB += w.AvgTasks * SyncPollGiB(poll, b.u.SyncPollOpsPerSite, s)
		case w.TD.EFSMode && efsTasks > 0:
			r.EFSModeGiB += b.traffic.DynamicRequests * w.AvgTasks / efsTasks * b.u.EFSModeMiBPerRequest / 1024
		}
	}
	return r
}

func (b *builder) fileStorage() {
	for i, fs := range b.g.of("aws:efs/fileSystem:FileSystem") {
		if i == 0 { // usage efsStorageGB is the whole stack's
			st := b.p("efs.storageGBMonth")
			b.add("file-storage", "EFS storage", b.u.EFSStorageGB*st, true,
				"%.1f GB x $%.3f (usage efsStorageGB)", b.u.EFSStorageGB, st)
		}
		switch mode := str(fs.Inputs["throughputMode"]); mode {
		case "provisioned":
			mibps := num(fs.Inputs["provisionedThroughputInMibps"])
			pr := b.p("efs.provisionedMiBpsMonth")
			b.add("file-storage", "EFS provisioned throughput", mibps*pr, false, "%.0f MiB/s x $%.2f", mibps, pr)
		case "elastic":
			r := b.efsReads()
			rp, wp := b.p("efs.elasticReadGB"), b.p("efs.elasticWriteGB")
			b.add("file-storage", "EFS elastic throughput: reads", r.total()*rp, true,
				"%.0f GB x $%.3f: task starts copying releases %.0f GB, running tasks copying new releases %.0f GB, sync polling %.0f GB, pages served from EFS %.0f GB, scheduled tasks %.0f GB",
				r.total(), rp, r.StartsGiB, r.ReleasesGiB, r.PollGiB, r.EFSModeGiB, r.JobsGiB)
			w := b.u.ReleasesPerMonth * b.u.ReleaseEFSWriteMiB / 1024
			b.add("file-storage", "EFS elastic throughput: writes", w*wp, true,
				"%.0f releases x %.0f MiB = %.1f GB x $%.3f", b.u.ReleasesPerMonth, b.u.ReleaseEFSWriteMiB, w, wp)
		default:
			b.add("file-storage", "EFS bursting throughput", 0, false,
				"throughput mode %q: no throughput charge, but the burst credits of a small file system run out (the seed's outage)", mode)
		}
	}
}
