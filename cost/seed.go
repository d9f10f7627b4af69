package cost

import "fmt"

// The seed's reported monthly bill (shared/seed/digest.md, slide 43): the
// Docker era's ~20,000 JPY of Fargate plus ~60,000 JPY for EFS provisioned at
// 100 MB/s: compute + file storage, the split issue 10's goal is set in.
const (
	SeedComputeJPY     = 20000.0
	SeedFileStorageJPY = 60000.0
	SeedTotalJPY       = SeedComputeJPY + SeedFileStorageJPY
)

// The seed's setup as the digest explains it: ~4 tasks of 1 vCPU / 2 GB x86
// (its "2 vCPU / 2048 MB" is not a Fargate size; the cost matches 1 vCPU /
// 2 GB), EFS provisioned at 100 MB/s holding ~7.5 GB of code.
const (
	SeedTasks             = 4
	SeedTaskVCPU          = 1.0
	SeedTaskGB            = 2.0
	SeedEFSProvisionedMiB = 100.0
	SeedEFSGB             = 7.5
)

// SeedLines prices the seed's setup at today's prices in book's region: the
// reference every estimate is compared with line for line.
func SeedLines(book *PriceBook) ([]Line, error) {
	b := &builder{book: book}
	cpu, mem := b.p("fargate.x86_64.vcpuHour"), b.p("fargate.x86_64.gbHour")
	hour := FargateTaskHour(SeedTaskVCPU, SeedTaskGB, cpu, mem)
	b.add("compute", "Fargate service tasks, on-demand", SeedTasks*hour*HoursPerMonth, false,
		"%d tasks x 1 vCPU / 2 GB x86_64 x 730 h x $%.5f", SeedTasks, hour)
	st, pr := b.p("efs.storageGBMonth"), b.p("efs.provisionedMiBpsMonth")
	b.add("file-storage", "EFS storage", SeedEFSGB*st, false, "%.1f GB x $%.3f", SeedEFSGB, st)
	b.add("file-storage", "EFS provisioned throughput", SeedEFSProvisionedMiB*pr, false,
		"%.0f MiB/s x $%.2f", SeedEFSProvisionedMiB, pr)
	if b.err != nil {
		return nil, fmt.Errorf("pricing the seed: %w", b.err)
	}
	return b.lines, nil
}
