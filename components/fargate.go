package components

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// fargateMemory lists, per task CPU size (CPU units), the memory sizes Fargate
// accepts, in MiB: from, to and step. Source: ECS developer guide, "Task CPU
// and memory" (valid for platform version 1.4.0 / LATEST, Linux).
var fargateMemory = map[int]struct{ from, to, step int }{
	256:   {512, 2048, 0}, // 512, 1024, 2048 (see below)
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

// FargateCPUs returns the task CPU sizes Fargate accepts, ascending.
func FargateCPUs() []int {
	cpus := make([]int, 0, len(fargateMemory))
	for c := range fargateMemory {
		cpus = append(cpus, c)
	}
	sort.Ints(cpus)
	return cpus
}

// FargateMemories returns the memory sizes (MiB) Fargate accepts with cpu, or
// nil when cpu is not a Fargate size.
func FargateMemories(cpu int) []int {
	r, ok := fargateMemory[cpu]
	if !ok {
		return nil
	}
	if cpu == 256 {
		return []int{512, 1024, 2048}
	}
	var out []int
	for m := r.from; m <= r.to; m += r.step {
		out = append(out, m)
	}
	return out
}

// CheckFargateSize returns nil when cpu (units) and memory (MiB) form a valid
// Fargate task size, and otherwise an error saying what is allowed.
func CheckFargateSize(cpu, memory int) error {
	mems := FargateMemories(cpu)
	if mems == nil {
		return fmt.Errorf("task CPU must be one of %s CPU units", joinInts(FargateCPUs()))
	}
	for _, m := range mems {
		if m == memory {
			return nil
		}
	}
	r := fargateMemory[cpu]
	if cpu == 256 {
		return fmt.Errorf("with %d CPU units memory must be one of 512, 1024, 2048 MiB", cpu)
	}
	return fmt.Errorf("with %d CPU units (%s vCPU) memory must be %d-%d MiB in steps of %d",
		cpu, vcpu(cpu), r.from, r.to, r.step)
}

func vcpu(units int) string {
	return strconv.FormatFloat(float64(units)/1024, 'f', -1, 64)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

var platformVersionRe = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

// CheckPlatformVersion accepts "LATEST" or a Fargate Linux platform version of
// 1.4.0 or later (EFS volumes need 1.4.0; 1.3.0 is retired).
func CheckPlatformVersion(v string) error {
	if v == "LATEST" {
		return nil
	}
	m := platformVersionRe.FindStringSubmatch(v)
	if m == nil {
		return fmt.Errorf(`platform version must be "LATEST" or a version such as "1.4.0"`)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major < 1 || (major == 1 && minor < 4) {
		return fmt.Errorf(`platform version must be "LATEST" or 1.4.0 or later (EFS volumes need 1.4.0)`)
	}
	return nil
}

// CheckCPUArchitecture accepts the two Fargate Linux architectures.
func CheckCPUArchitecture(a string) error {
	if a == "X86_64" || a == "ARM64" {
		return nil
	}
	return fmt.Errorf(`CPU architecture must be "X86_64" or "ARM64"`)
}
