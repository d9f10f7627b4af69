package components

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/efs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/internal/contract"
)

// SaltKeys are WordPress's eight authentication keys and salts.
var SaltKeys = []string{"AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
	"AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"}

// saltLength is each salt's length (what api.wordpress.org/secret-key generates).
const saltLength = 64

// WordPressSiteArgs configures WordPressSite.
type WordPressSiteArgs struct {
	// Platform is the environment the site runs on. Required.
	Platform *Platform
	// Name of the site: 1-14 lowercase letters, digits and single hyphens,
	// used in every AWS name of the site. Required.
	Name string
	// Hostnames the site answers to; the first is its home URL. Required (at
	// most 10: they share a certificate).
	Hostnames []Hostname
	// ListenerPriority is the first of the site's ALB rule priorities (one
	// rule per 3 hostnames, at consecutive priorities; 1-50000). Required.
	ListenerPriority int

	// PageCaching caches anonymous pages in CloudFront for PageTTLSeconds.
	// Uploads and static files go through CloudFront either way. Defaults to false.
	PageCaching bool
	// PageTTLSeconds is how long an anonymous page stays cached (0-86400).
	// Defaults to 300.
	PageTTLSeconds *int
	// PriceClass is the distribution's price class. Defaults to "PriceClass_200".
	PriceClass string
	// WebACLArn attaches a WAF web ACL (CloudFront scope). Defaults to the
	// platform's (PlatformArgs.Firewall).
	WebACLArn pulumi.StringInput
	// AllowedViewerCidrs, when set, admits only viewers from these IPv4
	// networks (for staging). Defaults to none (public).
	AllowedViewerCidrs []string
	// OriginSecretVersion is the generation of the site's secret origin
	// header (CloudFront sends it, the site's ALB rules require it). Raise
	// it by one to rotate, with OriginSecretRotating, then turn
	// OriginSecretRotating off. Defaults to 1.
	OriginSecretVersion int
	// OriginSecretRotating makes the ALB accept the previous generation too,
	// so that CloudFront edges still sending it are served while the new one
	// propagates. Defaults to false.
	OriginSecretRotating bool

	// UploadsNoncurrentDays keeps overwritten or deleted uploads as
	// noncurrent versions this long (1-3650). Defaults to 30.
	UploadsNoncurrentDays int
	// XMLRPC lets the site answer xmlrpc.php (Jetpack, mobile apps).
	// Defaults to false (refused by the platform).
	XMLRPC bool
	// Target5xxPercent alarms when more than this share of the site's
	// requests are answered 5xx (3 of 5 minutes, 20+ requests a minute).
	// Defaults to 5.
	Target5xxPercent int
	// Jobs are the site's batch commands, run as scheduled ECS tasks.
	// Defaults to none.
	Jobs []SiteJob
	// PhpImage runs the jobs. Defaults to the platform's.
	PhpImage string
	// Protect marks the site's data (database and salts secrets, uploads
	// bucket) protect and retainOnDelete. Defaults to false.
	Protect bool
}

// SiteJob is a command run on a schedule in a task of its own, with the
// site's code (copied from EFS to the task's disk), settings and secrets.
type SiteJob struct {
	// Name identifies the job within its site (like a site name, up to 20
	// characters). Required.
	Name string
	// Schedule is an EventBridge schedule expression (UTC). Required.
	Schedule string
	// Command runs in the php container, e.g. ["wp", "transient", "delete", "--expired"]. Required.
	Command []string
}

// hostsPerRule leaves room in an ALB rule (5 condition values at most, ELB
// quotas) for two values of the origin header during a rotation.
const hostsPerRule = 3

// OriginHeaderName is the header CloudFront adds to every request to the ALB;
// the ALB forwards a site's requests only when it carries the site's secret.
const OriginHeaderName = contract.OriginHeader

func (a WordPressSiteArgs) withDefaults() WordPressSiteArgs {
	if a.PageTTLSeconds == nil {
		ttl := 300
		a.PageTTLSeconds = &ttl
	}
	if a.OriginSecretVersion == 0 {
		a.OriginSecretVersion = 1
	}
	if a.UploadsNoncurrentDays == 0 {
		a.UploadsNoncurrentDays = 30
	}
	if a.Target5xxPercent == 0 {
		a.Target5xxPercent = 5
	}
	if a.PriceClass == "" {
		a.PriceClass = "PriceClass_200"
	}
	if a.Platform != nil {
		if a.PhpImage == "" {
			a.PhpImage = a.Platform.Runtime.PhpImage
		}
		if a.WebACLArn == nil {
			a.WebACLArn = a.Platform.WebACLArn
		}
	}
	return a
}

// Rules is how many ALB rules the site's hostnames need.
func (a WordPressSiteArgs) Rules() int { return (len(a.Hostnames) + hostsPerRule - 1) / hostsPerRule }

// Validate checks the arguments (after defaults) without registering anything.
func (a WordPressSiteArgs) Validate() error {
	a = a.withDefaults()
	var c check
	k := func(f string) string { return "WordPressSiteArgs." + f }
	if a.Platform == nil {
		c.add(invalid(k("Platform"), nil, "the platform the site runs on (NewPlatform)"))
	}
	c.keyed(k("Name"), a.Name, CheckSiteName(a.Name))
	c.add(checkSiteHostnames("WordPressSiteArgs", a.Hostnames, DefaultMaxNamesPerCertificate))
	if a.ListenerPriority < 1 || a.ListenerPriority+max(a.Rules(), 1)-1 > 50000 {
		c.add(invalid(k("ListenerPriority"), a.ListenerPriority, "1 to 50000, leaving room for one rule per %d hostnames", hostsPerRule))
	}
	ca := CDNArgs{Site: a.Name, Environment: "x", Hostnames: a.Hostnames, PageCaching: a.PageCaching, PageTTLSeconds: a.PageTTLSeconds,
		PriceClass: a.PriceClass, AllowedViewerCidrs: a.AllowedViewerCidrs, ValidationRecordFqdns: pulumi.StringArray{},
		AlbDnsName: pulumi.String("x"), OriginSecret: pulumi.String("x"), BucketRegionalDomainName: pulumi.String("x")}
	c.add(prefixed("WordPressSiteArgs.", ca.Validate()))
	if a.OriginSecretVersion < 1 || a.OriginSecretVersion > 1000000 {
		c.add(invalid(k("OriginSecretVersion"), a.OriginSecretVersion, "a generation from 1 (raise it by one to rotate)"))
	}
	if a.UploadsNoncurrentDays < 1 || a.UploadsNoncurrentDays > 3650 {
		c.add(invalid(k("UploadsNoncurrentDays"), a.UploadsNoncurrentDays, "1 to 3650 days"))
	}
	if a.Target5xxPercent < 1 || a.Target5xxPercent > 100 {
		c.add(invalid(k("Target5xxPercent"), a.Target5xxPercent, "1 to 100 percent"))
	}
	c.add(checkJobs(a.Jobs))
	if len(a.Jobs) > 0 && a.PhpImage == "" {
		c.add(invalid(k("PhpImage"), "", "the php image that runs the jobs (or the platform's Runtime.PhpImage)"))
	}
	return c.err()
}

func checkJobs(jobs []SiteJob) error {
	var c check
	seen := map[string]bool{}
	for i, job := range jobs {
		k := func(f string) string { return fmt.Sprintf("WordPressSiteArgs.Jobs[%d].%s", i, f) }
		c.keyed(k("Name"), job.Name, CheckJobName(job.Name))
		if seen[job.Name] {
			c.add(invalid(k("Name"), job.Name, "job names are unique within a site"))
		}
		seen[job.Name] = true
		c.keyed(k("Schedule"), job.Schedule, CheckScheduleExpression(job.Schedule))
		if len(job.Command) == 0 {
			c.add(invalid(k("Command"), job.Command, `a command as a list of words, e.g. ["wp", "cache", "flush"]`))
		}
	}
	return c.err()
}

// WordPressSite is what belongs to one site: its hostnames, certificate and
// DNS, CloudFront distribution, access point, database user and salts
// secrets, uploads bucket, batch jobs and alarms. A SitePool serves it and
// routes its hostnames to the pool's tasks.
type WordPressSite struct {
	pulumi.ResourceState

	Name      string
	Hostnames []Hostname
	Platform  *Platform
	// Args are the site's settings after defaults (what pools read).
	Args WordPressSiteArgs

	DatabaseSecret *secretsmanager.Secret
	SaltsSecret    *secretsmanager.Secret
	Uploads        *UploadsBucket
	AccessPoint    *efs.AccessPoint
	CDN            *CDN
	Jobs           map[string]*CronTask

	// URL is the home URL ("https://" + the first hostname).
	URL pulumi.StringOutput
	// DatabaseName is the site's MySQL database and user name.
	DatabaseName string
	// OriginSecrets are the header values the site's ALB rules accept (the
	// current generation, and the previous one while rotating).
	OriginSecrets pulumi.StringArrayOutput

	servedBy     string
	resourceName string
}

// NewWordPressSite creates one site's resources on a platform.
func NewWordPressSite(ctx *pulumi.Context, name string, args *WordPressSiteArgs, opts ...pulumi.ResourceOption) (*WordPressSite, error) {
	if args == nil {
		args = &WordPressSiteArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	p := a.Platform
	s := &WordPressSite{Name: a.Name, Hostnames: a.Hostnames, Platform: p, Args: a, DatabaseName: DatabaseIdentifier(a.Name),
		Jobs: map[string]*CronTask{}, resourceName: name}
	if err := ctx.RegisterComponentResource(typePrefix+"WordPressSite", name, s, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(s)
	s.URL = pulumi.String("https://" + a.Hostnames[0].Name).ToStringOutput()
	for _, step := range []func(*pulumi.Context, string, WordPressSiteArgs, pulumi.ResourceOption) error{
		s.secrets, s.edge, s.storage, s.jobs, s.alarms,
	} {
		if err := step(ctx, name, a, parent); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"url":              s.URL,
		"bucketName":       s.Uploads.BucketName,
		"distributionId":   s.CDN.Id,
		"cdnDomainName":    s.CDN.DomainName,
		"databaseSecret":   s.DatabaseSecret.Arn,
		"saltsSecret":      s.SaltsSecret.Arn,
		"fileSystemAccess": s.AccessPoint.Arn,
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// tags are the site's tags.
func (s *WordPressSite) tags() map[string]string { return withTag(s.Platform.Tags, TagSite, s.Name) }

// secrets creates the site's database user secret (read by its tasks, and by
// the release job, which creates the user) and its WordPress salts.
func (s *WordPressSite) secrets(ctx *pulumi.Context, name string, a WordPressSiteArgs, parent pulumi.ResourceOption) error {
	names, tags := s.Platform.Names, tagInput(s.tags())
	keep := []pulumi.ResourceOption{parent, pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.Protect)}
	pw, err := random.NewRandomPassword(ctx, name+"--db", &random.RandomPasswordArgs{Length: pulumi.Int(32), Special: pulumi.Bool(false)}, parent)
	if err != nil {
		return err
	}
	s.DatabaseSecret, err = secretsmanager.NewSecret(ctx, name+"--db", &secretsmanager.SecretArgs{
		Name:                 pulumi.String(names.SiteDBSecret(a.Name)),
		Description:          pulumi.String("Database user of WordPress site " + a.Name + " (" + s.Platform.Environment + ")"),
		RecoveryWindowInDays: pulumi.Int(7),
		Tags:                 tags,
	}, keep...)
	if err != nil {
		return err
	}
	dbName := s.DatabaseName
	value := pulumi.All(pw.Result, s.Platform.DatabaseEndpoint).ApplyT(func(v []any) (string, error) {
		b, err := json.Marshal(map[string]any{"username": dbName, "password": v[0].(string), "dbname": dbName, "host": v[1].(string), "port": 3306})
		return string(b), err
	}).(pulumi.StringOutput)
	if _, err = secretsmanager.NewSecretVersion(ctx, name+"--db", &secretsmanager.SecretVersionArgs{
		SecretId: s.DatabaseSecret.ID(), SecretString: pulumi.ToSecret(value).(pulumi.StringOutput),
	}, parent); err != nil {
		return err
	}

	salts, err := random.NewRandomPassword(ctx, name+"--salts", &random.RandomPasswordArgs{
		Length:          pulumi.Int(saltLength * len(SaltKeys)),
		Special:         pulumi.Bool(true),
		OverrideSpecial: pulumi.String("!#%()*+,-.:;<=>?@[]^_{|}~"),
	}, parent)
	if err != nil {
		return err
	}
	s.SaltsSecret, err = secretsmanager.NewSecret(ctx, name+"--salts", &secretsmanager.SecretArgs{
		Name:                 pulumi.String(names.SiteSaltsSecret(a.Name)),
		Description:          pulumi.String("WordPress keys and salts of site " + a.Name + " (" + s.Platform.Environment + ")"),
		RecoveryWindowInDays: pulumi.Int(7),
		Tags:                 tags,
	}, keep...)
	if err != nil {
		return err
	}
	saltsJSON := salts.Result.ApplyT(func(r string) (string, error) {
		m := map[string]string{}
		for i, k := range SaltKeys {
			m[k] = r[i*saltLength : (i+1)*saltLength]
		}
		b, err := json.Marshal(m)
		return string(b), err
	}).(pulumi.StringOutput)
	_, err = secretsmanager.NewSecretVersion(ctx, name+"--salts", &secretsmanager.SecretVersionArgs{
		SecretId: s.SaltsSecret.ID(), SecretString: pulumi.ToSecret(saltsJSON).(pulumi.StringOutput),
	}, parent)
	return err
}

// storage creates the site's access point on the shared file system (its
// pool's sync agent and its jobs read releases through it).
func (s *WordPressSite) storage(ctx *pulumi.Context, name string, a WordPressSiteArgs, parent pulumi.ResourceOption) error {
	fs := s.Platform.FileSystem
	if fs == nil {
		fs = &SharedEFS{FileSystemId: s.Platform.FileSystemId, webUID: WebUID, webGID: WebGID}
	}
	var err error
	s.AccessPoint, err = fs.SiteAccessPoint(ctx, name, a.Name, s.Platform.Tags, parent)
	return err
}

// maxCronIntervalSeconds bounds a pool's wp-cron interval; a site's
// "cron silent" alarm allows three of them.
const maxCronIntervalSeconds = 600

// alarms watch the site through its pool's log-derived metrics.
func (s *WordPressSite) alarms(ctx *pulumi.Context, name string, a WordPressSiteArgs, parent pulumi.ResourceOption) error {
	p := s.Platform
	specs := siteAlarms(p.Names.MetricNamespace(), a.Name, a.Target5xxPercent, maxCronIntervalSeconds)
	for i := range specs {
		specs[i].args.Tags = tagInput(s.tags())
	}
	_, err := p.createAlarms(ctx, func(what string) string { return p.Names.SiteAlarm(a.Name, what) }, specs, parent)
	return err
}
