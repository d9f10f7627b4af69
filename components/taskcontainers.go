package components

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wpfleet/wpfleet/internal/contract"
)

// Code delivery modes (docs/runtime.md).
const (
	// CodeLocal copies each site's live release from EFS to the task's own
	// disk and serves it from there (the sync agent keeps it current).
	CodeLocal = "local"
	// CodeEFS serves the live releases straight from EFS, as the seed did.
	CodeEFS = "efs"
)

// Container names, ports and paths shared with the images: the runtime
// contract of image/README.md.
const (
	ContainerNginx = "nginx"
	ContainerPHP   = "php"
	ContainerSync  = "sync"
	// WebPort is nginx's port inside the task and the target group's port.
	WebPort = contract.NginxPort
	// EFSMountPath holds one read-only mount per site: EFSMountPath/<site>
	// is the site's access point (its directory of releases).
	EFSMountPath = contract.SyncSource
	// LocalCodePath holds the task-local copy of each site's live release
	// (LocalCodePath/<site>/current, local mode).
	LocalCodePath = contract.SyncDest
	// SyncAgentPath is the sync agent inside the php image.
	SyncAgentPath = "/usr/local/bin/wpfleet-sync"
	// SyncInterval is how often the sync agent reads each site's pointer.
	SyncInterval = "5s"
	// syncMemoryReservationMiB covers the sync agent's measured peak (80 MiB
	// fetching two 313 MiB releases at a time under its Go memory limit,
	// docs/runtime.md); the php entrypoint leaves the same out of PHP's.
	syncMemoryReservationMiB = contract.SyncMemoryReservationMiB
)

// taskSite is what a task's containers need to know about one site.
type taskSite struct {
	name, home            string
	hosts                 []string
	dbName, bucket        string
	dbSecret, saltsSecret string
	xmlrpc                bool
}

// taskRuntime is what a pool's or job's containers share.
type taskRuntime struct {
	env, region, wpEnv, dbHost  string
	dbTLS                       bool
	nginxImage, phpImage        string
	codeDelivery                string
	cpu, memory, requestTimeout int
	cronInterval                int
	realIPFrom                  []string
	logGroup                    string
	stopTimeout                 int
}

func siteNames(sites []taskSite) string {
	n := make([]string, len(sites))
	for i, s := range sites {
		n[i] = s.name
	}
	return strings.Join(n, " ")
}

// codeRoot is where a task finds site s's live tree: codeRoot/s/current.
func (r taskRuntime) codeRoot() string {
	if r.codeDelivery == CodeEFS {
		return EFSMountPath
	}
	return LocalCodePath
}

func (r taskRuntime) logs(prefix string) *logConfiguration {
	return &logConfiguration{LogDriver: "awslogs", Options: map[string]string{
		"awslogs-group": r.logGroup, "awslogs-region": r.region, "awslogs-stream-prefix": prefix,
	}}
}

// phpEnvironment is the php container's plain environment: the platform's
// settings and each site's; every secret arrives through phpSecrets.
func (r taskRuntime) phpEnvironment(sites []taskSite) []keyValue {
	out := env(
		contract.EnvEnv, r.env,
		contract.EnvSites, siteNames(sites),
		contract.EnvCodeDelivery, r.codeDelivery,
		contract.EnvCodeRoot, r.codeRoot(),
		contract.EnvTaskCPU, strconv.Itoa(r.cpu),
		contract.EnvTaskMemoryMiB, strconv.Itoa(r.memory),
		contract.EnvRequestTimeout, strconv.Itoa(r.requestTimeout),
		contract.EnvRegion, r.region,
		contract.EnvCronInterval, strconv.Itoa(r.cronInterval),
		contract.EnvWPEnvironment, r.wpEnv,
		contract.EnvDBHost, r.dbHost,
		contract.EnvDBTLS, strconv.FormatBool(r.dbTLS),
	)
	for _, s := range sites {
		out = append(out, env(
			contract.SiteEnv(s.name, contract.SiteHome), s.home,
			contract.SiteEnv(s.name, contract.SiteDBName), s.dbName,
			contract.SiteEnv(s.name, contract.SiteBucket), s.bucket,
			contract.SiteEnv(s.name, contract.SiteXMLRPC), strconv.FormatBool(s.xmlrpc),
		)...)
	}
	return out
}

// phpSecrets hands each site's database and salts secrets to the php
// container whole (JSON); the entrypoint writes them to a file only that
// site's pool user can read.
func phpSecrets(sites []taskSite) []secretRef {
	var out []secretRef
	for _, s := range sites {
		out = append(out, secretRef{Name: contract.SiteEnv(s.name, contract.SiteDBSecret), ValueFrom: s.dbSecret},
			secretRef{Name: contract.SiteEnv(s.name, contract.SiteSaltsSecret), ValueFrom: s.saltsSecret})
	}
	return out
}

// mounts are a container's views of the sites' code: each site's access
// point under EFSMountPath, and in local mode the task-local copies.
func (r taskRuntime) mounts(sites []taskSite, localWritable bool) []mountPoint {
	var out []mountPoint
	if r.codeDelivery == CodeEFS || localWritable {
		for _, s := range sites {
			out = append(out, mountPoint{SourceVolume: efsVolumeName(s.name), ContainerPath: EFSMountPath + "/" + s.name, ReadOnly: true})
		}
	}
	if r.codeDelivery == CodeLocal {
		out = append(out, mountPoint{SourceVolume: "code", ContainerPath: LocalCodePath, ReadOnly: !localWritable})
	}
	return out
}

// efsVolumeName is the task volume of a site's access point.
func efsVolumeName(site string) string { return "efs-" + site }

func (r taskRuntime) syncContainer(sites []taskSite, command string) containerDef {
	c := containerDef{
		Name:      ContainerSync,
		Image:     r.phpImage,
		Essential: command == "run",
		Command:   []string{SyncAgentPath, command},
		Environment: env(
			contract.EnvSites, siteNames(sites),
			contract.EnvSyncSource, EFSMountPath,
			contract.EnvSyncDest, LocalCodePath,
			// A new release reaches a task within this; each check of a
			// site's pointer is a metered EFS metadata read.
			"WPFLEET_SYNC_INTERVAL", SyncInterval,
			// old releases are removed once requests on them have had time to finish
			contract.EnvRequestTimeout, strconv.Itoa(r.requestTimeout),
		),
		MountPoints:       r.mounts(sites, true),
		MemoryReservation: syncMemoryReservationMiB,
		LogConfiguration:  r.logs(ContainerSync),
		LinuxParameters:   &linuxParameters{InitProcessEnabled: true},
	}
	if command == "run" {
		c.HealthCheck = &healthCheck{Command: []string{"CMD", SyncAgentPath, "health"}, Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 120}
		c.StopTimeout = r.stopTimeout
	}
	return c
}

// poolContainers are a pool's task: nginx with a server per site, php-fpm
// with a pool per site (and the wp-cron runner), and in local mode the sync
// agent that keeps every site's live release on the task's disk.
func (r taskRuntime) poolContainers(sites []taskSite) []containerDef {
	var waitForSync []dependency
	if r.codeDelivery == CodeLocal {
		waitForSync = []dependency{{ContainerName: ContainerSync, Condition: "HEALTHY"}}
	}
	fpm := func(readOnly bool) mountPoint {
		return mountPoint{SourceVolume: contract.FPMVolume, ContainerPath: contract.FPMSocketDir, ReadOnly: readOnly}
	}
	php := containerDef{
		Name:        ContainerPHP,
		Image:       r.phpImage,
		Essential:   true,
		Environment: r.phpEnvironment(sites),
		Secrets:     phpSecrets(sites),
		MountPoints: append(r.mounts(sites, false), fpm(false)),
		DependsOn:   waitForSync,
		HealthCheck: &healthCheck{Command: []string{"CMD-SHELL", "php-fpm-healthcheck || exit 1"},
			Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 15},
		LogConfiguration: r.logs(ContainerPHP),
		StopTimeout:      r.stopTimeout,
		LinuxParameters:  &linuxParameters{InitProcessEnabled: true},
	}
	nginxEnv := env(
		contract.EnvSites, siteNames(sites),
		contract.EnvCodeRoot, r.codeRoot(),
		contract.EnvRealIPFrom, strings.Join(r.realIPFrom, " "),
		contract.EnvRequestTimeout, strconv.Itoa(r.requestTimeout),
	)
	for _, s := range sites {
		nginxEnv = append(nginxEnv, keyValue{Name: contract.SiteEnv(s.name, contract.SiteHostnames), Value: strings.Join(s.hosts, " ")})
	}
	nginx := containerDef{
		Name:         ContainerNginx,
		Image:        r.nginxImage,
		Essential:    true,
		PortMappings: []portMapping{{ContainerPort: WebPort, Protocol: "tcp", Name: "http"}},
		Environment:  nginxEnv,
		MountPoints:  append(r.mounts(sites, false), fpm(true)),
		DependsOn:    append([]dependency{{ContainerName: ContainerPHP, Condition: "HEALTHY"}}, waitForSync...),
		HealthCheck: &healthCheck{Command: []string{"CMD-SHELL", fmt.Sprintf("wget -q -O /dev/null http://127.0.0.1:%d%s || exit 1", WebPort, contract.HealthPath)},
			Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 10},
		LogConfiguration: r.logs(ContainerNginx),
		StopTimeout:      r.stopTimeout,
		LinuxParameters:  &linuxParameters{InitProcessEnabled: true},
	}
	defs := []containerDef{nginx, php}
	if r.codeDelivery == CodeLocal {
		defs = append(defs, r.syncContainer(sites, "run"))
	}
	return defs
}

// jobContainers are a batch job's task: the sync agent copies the site's
// live release once, then php runs the command as the site's user.
func (r taskRuntime) jobContainers(site taskSite, command []string) []containerDef {
	sites := []taskSite{site}
	return []containerDef{
		r.syncContainer(sites, "once"),
		{
			Name:             ContainerPHP,
			Image:            r.phpImage,
			Essential:        true,
			Command:          command,
			Environment:      r.phpEnvironment(sites),
			Secrets:          phpSecrets(sites),
			MountPoints:      r.mounts(sites, false),
			DependsOn:        []dependency{{ContainerName: ContainerSync, Condition: "SUCCESS"}},
			LogConfiguration: r.logs("job"),
			LinuxParameters:  &linuxParameters{InitProcessEnabled: true},
		},
	}
}
