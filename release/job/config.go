package job

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is everything a run needs, checked before anything is touched.
type Config struct {
	Action, Site, Ref string // from RELEASE_PATH, BRANCH, ACTION only
	Env               string
	Sites             []string
	Root              string // WPFLEET_SITES_ROOT: one directory per site
	Keep              int
	RepoURL           string
	GitSecret         string // GIT_CREDENTIALS_SECRET_ARN
	DB                DBConfig
	TablePrefix       string
	HookTimeout       time.Duration
	FetchTimeout      time.Duration
	FetchStall        time.Duration
	SkipUpdateDB      bool
	FullCheckout      bool
	CDN               map[string]string // site -> CloudFront distribution id
	SandboxPaths      []string          // extra read-only paths the sandbox sees (tool runtimes)
	BuildID           string
	// Drills, read from the environment only when no settings file is given (tests).
	FaultStop string    // WPFLEET_FAULT_STOP_AT: stop (SIGSTOP) at this checkpoint
	IDTime    time.Time // WPFLEET_ID_TIME: the time a new release id is named after
}

// DBConfig is how the job reaches the database.
type DBConfig struct {
	Host, MasterSecret, SitePrefix string
	Port                           int
	TLS                            bool
	CA                             string
	Timeout                        time.Duration
}

// Settings are the job's settings by name. With a settings file (the CodeBuild project's
// source) they come from that file only, so overriding a variable when starting a build
// changes nothing but RELEASE_PATH, BRANCH and ACTION; without one (tests, a run by hand)
// they come from the environment.
type Settings struct {
	vals     map[string]string
	fromFile bool
}

// LoadSettings reads the settings file (a JSON object of strings), or the environment when
// file is "".
func LoadSettings(file string) (Settings, error) {
	if file == "" {
		vals := map[string]string{}
		for _, kv := range os.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok {
				vals[k] = v
			}
		}
		return Settings{vals: vals}, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return Settings{}, err
	}
	vals := map[string]string{}
	if err := json.Unmarshal(b, &vals); err != nil {
		return Settings{}, fmt.Errorf("settings file %s: %w (want a JSON object of strings)", file, err)
	}
	return Settings{vals: vals, fromFile: true}, nil
}

func (s Settings) get(name, def string) string {
	if v, ok := s.vals[name]; ok && v != "" {
		return v
	}
	return def
}

// drill returns an environment-only test setting, never honoured with a settings file.
func (s Settings) drill(name string) string {
	if s.fromFile {
		return ""
	}
	return s.vals[name]
}

var (
	siteRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,13}$`)
	refRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$`)
	keepRE = regexp.MustCompile(`^[1-9][0-9]{0,2}$`)
	secsRE = regexp.MustCompile(`^[1-9][0-9]{0,4}$`)
	hostRE = regexp.MustCompile(`^[A-Za-z0-9.:-]{1,253}$`)
	cdnRE  = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)
)

// usage is a configuration or input error: exit 2, nothing done.
func usage(format string, a ...any) error {
	return &jobError{code: exitUsage, msg: fmt.Sprintf(format, a...)}
}

// LoadConfig checks every setting. Values of RELEASE_PATH, BRANCH and ACTION that are not
// allowed are never repeated in messages: whoever starts a build chooses them, and a
// CodeBuild variable of type SECRETS_MANAGER would put a secret there.
func LoadConfig(s Settings, env func(string) string) (*Config, error) {
	c := &Config{Action: env("ACTION"), Site: env("RELEASE_PATH"), Ref: env("BRANCH"), BuildID: env("CODEBUILD_BUILD_ID")}
	if c.Action == "" {
		c.Action = "release"
	}
	if c.Action != "release" && c.Action != "rollback" {
		return nil, usage("ACTION (%d characters) is not allowed: use release or rollback", len(c.Action))
	}
	if !siteRE.MatchString(c.Site) {
		return nil, usage("RELEASE_PATH (%d characters) is not a site name: ^[a-z][a-z0-9-]{0,13}$ required", len(c.Site))
	}
	c.Sites = strings.Fields(s.get("WPFLEET_SITES", ""))
	if !contains(c.Sites, c.Site) {
		return nil, usage("site '%s' is not one of WPFLEET_SITES ('%s')", c.Site, strings.Join(c.Sites, " "))
	}
	c.Env = s.get("WPFLEET_ENV", "")
	c.Root = s.get("WPFLEET_SITES_ROOT", "/mnt/sites")
	if fi, err := os.Stat(c.Root); err != nil || !fi.IsDir() {
		return nil, usage("sites root '%s' is not a directory (is the file system mounted?)", c.Root)
	}
	keep := s.get("KEEP_RELEASES", "5")
	if !keepRE.MatchString(keep) {
		return nil, usage("KEEP_RELEASES='%s' must be a whole number from 1 to 999", keep)
	}
	c.Keep, _ = strconv.Atoi(keep)
	if err := c.loadCDN(s.get("WPFLEET_CDN_DISTRIBUTIONS", "")); err != nil {
		return nil, err
	}
	c.SandboxPaths = strings.Fields(s.get("WPFLEET_SANDBOX_PATHS", ""))
	if c.Action == "rollback" {
		return c, nil
	}
	if !refRE.MatchString(c.Ref) || strings.Contains(c.Ref, "..") || strings.HasSuffix(c.Ref, ".lock") || strings.HasSuffix(c.Ref, "/") {
		return nil, usage("BRANCH (%d characters) is not a branch, tag or commit name: letters, digits and . _ / - allowed, no '..'", len(c.Ref))
	}
	var err error
	if c.HookTimeout, err = seconds(s, "HOOK_TIMEOUT", "900"); err != nil {
		return nil, err
	}
	if c.FetchTimeout, err = seconds(s, "WPFLEET_FETCH_TIMEOUT", "900"); err != nil {
		return nil, err
	}
	if c.FetchStall, err = seconds(s, "WPFLEET_FETCH_STALL_SECONDS", "120"); err != nil {
		return nil, err
	}
	c.SkipUpdateDB = s.get("WPFLEET_SKIP_UPDATE_DB", "") == "1"
	c.FullCheckout = s.get("WPFLEET_FULL_CHECKOUT", "") == "1"
	c.TablePrefix = s.get("WPFLEET_TABLE_PREFIX", "wp_")
	if !regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`).MatchString(c.TablePrefix) {
		return nil, usage("WPFLEET_TABLE_PREFIX='%s' may hold only letters, digits and _", c.TablePrefix)
	}
	c.GitSecret = s.get("GIT_CREDENTIALS_SECRET_ARN", "")
	if c.RepoURL, err = repoURL(s, c.Site); err != nil {
		return nil, err
	}
	if err := c.loadDB(s); err != nil {
		return nil, err
	}
	if err := c.loadDrills(s); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) loadDrills(s Settings) error {
	c.FaultStop = s.drill("WPFLEET_FAULT_STOP_AT")
	if t := s.drill("WPFLEET_ID_TIME"); t != "" {
		v, err := time.Parse(idTimeLayout, t)
		if err != nil {
			return usage("WPFLEET_ID_TIME='%s' is not a time like 20260102T030405Z", t)
		}
		c.IDTime = v
	}
	return nil
}

func (c *Config) loadCDN(v string) error {
	c.CDN = map[string]string{}
	for _, pair := range strings.Fields(v) {
		site, id, ok := strings.Cut(pair, "=")
		if !ok || !siteRE.MatchString(site) || !cdnRE.MatchString(id) {
			return usage("WPFLEET_CDN_DISTRIBUTIONS: '%s' is not site=DISTRIBUTIONID", pair)
		}
		c.CDN[site] = id
	}
	return nil
}

func (c *Config) loadDB(s Settings) error {
	d := &c.DB
	d.Host = s.get("DB_HOST", "")
	if !hostRE.MatchString(d.Host) || d.Host == "localhost" {
		return usage("DB_HOST='%s' is not a host name (and not localhost, which PHP takes for a Unix socket)", d.Host)
	}
	port := s.get("DB_PORT", "3306")
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return usage("DB_PORT='%s' is not a port number", port)
	}
	d.Port = p
	if d.MasterSecret = s.get("DB_MASTER_SECRET_ARN", ""); d.MasterSecret == "" {
		return usage("DB_MASTER_SECRET_ARN is not set")
	}
	if d.SitePrefix = s.get("SITE_SECRET_PREFIX", ""); d.SitePrefix == "" {
		return usage("SITE_SECRET_PREFIX is not set")
	}
	switch s.get("DB_TLS", "on") {
	case "off", "false", "0":
		d.TLS = false
	default:
		d.TLS = true
		d.CA = s.get("DB_TLS_CA", "")
		if fi, err := os.Stat(d.CA); d.CA == "" || err != nil || !fi.Mode().IsRegular() {
			return usage("DB_TLS_CA='%s' must be the database CA bundle file (or DB_TLS=off for a local database)", d.CA)
		}
	}
	if ip := net.ParseIP(d.Host); ip != nil && !ip.IsLoopback() {
		return usage("DB_HOST='%s' must be a host name: the database upgrade reaches it through a relay and checks its certificate by name", d.Host)
	}
	d.Timeout, err = seconds(s, "WPFLEET_DB_TIMEOUT", "600")
	return err
}

func seconds(s Settings, name, def string) (time.Duration, error) {
	v := s.get(name, def)
	if !secsRE.MatchString(v) {
		return 0, usage("%s='%s' must be a number of seconds from 1 to 99999", name, v)
	}
	n, _ := strconv.Atoi(v)
	return time.Duration(n) * time.Second, nil
}

// repoURL is the site's git URL: REPO_URL_<SITE> or the template with {site} replaced.
// https://, ssh:// and file:// are allowed (plain http:// only to this machine).
func repoURL(s Settings, site string) (string, error) {
	name := "REPO_URL_" + strings.ToUpper(strings.ReplaceAll(site, "-", "_"))
	u := s.get(name, "")
	if u == "" {
		t := s.get("REPO_URL_TEMPLATE", "")
		if t == "" {
			return "", usage("neither %s nor REPO_URL_TEMPLATE is set", name)
		}
		u = strings.ReplaceAll(t, "{site}", site)
	}
	if err := checkRepoURL(u); err != nil {
		return "", usage("repository URL '%s' is not allowed: %v", redact(u), err)
	}
	return u, nil
}

func checkRepoURL(raw string) error {
	p, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("use https://, ssh:// or file://")
	}
	switch {
	case p.User != nil && p.Scheme != "ssh":
		return fmt.Errorf("no credentials in the URL (use the git credentials secret)")
	case p.Scheme == "https" && p.Host != "", p.Scheme == "ssh" && p.Host != "", p.Scheme == "file" && p.Path != "":
		return nil
	case p.Scheme == "http" && (p.Hostname() == "127.0.0.1" || p.Hostname() == "localhost"):
		return nil
	}
	return fmt.Errorf("use https://, ssh:// or file://")
}

func redact(raw string) string {
	p, err := url.Parse(raw)
	if err != nil || p.User == nil {
		return raw
	}
	p.User = nil
	return strings.Replace(p.String(), "://", "://***@", 1)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
