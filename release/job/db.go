package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// secret reads a Secrets Manager secret's string with the AWS CLI (the job's role may read the
// master secret, the site secrets and the git token; nothing the job starts later sees them).
func (j *job) secret(ctx context.Context, id string) (string, error) {
	out, err := run(ctx, command{argv: []string{"aws", "secretsmanager", "get-secret-value", "--secret-id", id,
		"--query", "SecretString", "--output", "text"}, timeout: 2 * time.Minute})
	if err != nil {
		return "", failf("cannot read secret %s (aws secretsmanager get-secret-value failed: %s)", id, lastLine(err))
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

func lastLine(err error) string {
	var pe *procError
	if errors.As(err, &pe) {
		lines := strings.Split(strings.TrimSpace(string(pe.stderr)), "\n")
		if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
			return l
		}
	}
	return err.Error()
}

// fields returns the string fields of a secret's JSON object, naming the secret (never its
// content) when one is missing.
func fields(secretJSON, name string, keys ...string) ([]string, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(secretJSON), &m); err != nil {
		return nil, failf("secret %s is not a JSON object", name)
	}
	var out, missing []string
	for _, k := range keys {
		s, ok := m[k].(string)
		if !ok {
			missing = append(missing, k)
		}
		out = append(out, s)
	}
	if len(missing) > 0 {
		return nil, failf("secret %s: no string field %s (need string fields: %s)", name, strings.Join(missing, ", "), strings.Join(keys, " "))
	}
	return out, nil
}

var (
	dbNameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	dbUserRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
)

type siteDB struct {
	name, user, password string
	secretJSON           string
}

// ensureDatabase makes the site's database and user exist, with the password of its secret,
// as the master user over verified TLS. Idempotent: every release does it.
func (j *job) ensureDatabase(ctx context.Context) (*siteDB, error) {
	ctx, cancel := context.WithTimeout(ctx, j.cfg.DB.Timeout)
	defer cancel()
	name := j.cfg.DB.SitePrefix + j.cfg.Site + "/db"
	site, err := j.secret(ctx, name)
	if err != nil {
		return nil, err
	}
	f, err := fields(site, name, "dbname", "username", "password")
	if err != nil {
		return nil, err
	}
	d := &siteDB{name: f[0], user: f[1], password: f[2], secretJSON: site}
	switch {
	case !dbNameRE.MatchString(d.name):
		return nil, failf("database name '%s' is not allowed: [A-Za-z0-9_], 1-64 characters", d.name)
	case !dbUserRE.MatchString(d.user):
		return nil, failf("database user '%s' is not allowed: [A-Za-z0-9_], 1-32 characters", d.user)
	case d.password == "" || hasControl(d.password):
		return nil, failf("the password of database user '%s' is empty or has control characters", d.user)
	}
	master, err := j.secret(ctx, j.cfg.DB.MasterSecret)
	if err != nil {
		return nil, err
	}
	mf, err := fields(master, j.cfg.DB.MasterSecret, "username", "password")
	if err != nil {
		return nil, err
	}
	cnf, err := j.optionFile(mf[0], mf[1])
	if err != nil {
		return nil, err
	}
	defer os.Remove(cnf)
	lit := sqlString(d.password)
	sql := "SET SESSION sql_mode = '';\n" +
		"CREATE DATABASE IF NOT EXISTS `" + d.name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n" +
		"CREATE USER IF NOT EXISTS '" + d.user + "'@'%' IDENTIFIED BY " + lit + ";\n" +
		"ALTER USER '" + d.user + "'@'%' IDENTIFIED BY " + lit + ";\n" +
		"GRANT ALL PRIVILEGES ON `" + d.name + "`.* TO '" + d.user + "'@'%';\n"
	client, _ := mysqlClient()
	_, err = run(ctx, command{argv: []string{client, "--defaults-file=" + cnf, "--batch", "--connect-timeout=20"},
		stdin: strings.NewReader(sql)})
	if err != nil {
		msg := err.Error()
		// A server error may quote the statement near its error: never the password.
		msg = strings.ReplaceAll(strings.ReplaceAll(msg, lit, "'<password>'"), d.password, "<password>")
		if ctx.Err() != nil {
			msg = fmt.Sprintf("no answer within WPFLEET_DB_TIMEOUT=%s", j.cfg.DB.Timeout)
		}
		return nil, failf("cannot create database %s and user %s on %s: %s", d.name, d.user, j.cfg.DB.Host, msg)
	}
	j.logf("database %s and user %s ready on %s", d.name, d.user, j.cfg.DB.Host)
	return d, nil
}

func mysqlClient() (string, error) {
	for _, c := range []string{"mariadb", "mysql"} {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", usage("no mariadb or mysql client installed")
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// optionFile writes a client option file, mode 0600, in the job's private directory.
func (j *job) optionFile(user, pass string) (string, error) {
	if hasControl(user) || hasControl(pass) {
		return "", failf("database credentials contain control characters")
	}
	q := func(s string) string {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "[client]\nuser=%s\npassword=%s\nhost=%s\nport=%d\n", q(user), q(pass), q(j.cfg.DB.Host), j.cfg.DB.Port)
	if j.cfg.DB.TLS {
		fmt.Fprintf(&b, "ssl\nssl-ca=%s\nssl-verify-server-cert\n", q(j.cfg.DB.CA))
	}
	f, err := os.CreateTemp(j.priv, "client.*.cnf")
	if err != nil {
		return "", failf("option file: %v", err)
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return "", failf("option file: %v", err)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		return "", failf("option file: %v", err)
	}
	return f.Name(), nil
}

// sqlString is a single-quoted SQL literal (sql_mode without NO_BACKSLASH_ESCAPES).
func sqlString(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, `'`, `\'`) + "'"
}

// wordpressReady checks, before the switch, that the upgrade after it can run.
func (j *job) wordpressReady(ctx context.Context, dir string) error {
	if j.cfg.SkipUpdateDB {
		return nil
	}
	for _, f := range []string{"wp-settings.php", "wp-includes/version.php"} {
		if fi, err := os.Lstat(filepath.Join(dir, f)); err != nil || !fi.Mode().IsRegular() {
			return failf("the tree has no WordPress (wp-settings.php, wp-includes/version.php), so 'update-db' cannot run; set WPFLEET_SKIP_UPDATE_DB=1 to release it anyway")
		}
	}
	if _, err := run(ctx, command{argv: []string{"php", "-r", `exit(extension_loaded("mysqli") ? 0 : 1);`}, timeout: time.Minute}); err != nil {
		return failf("php with the mysqli extension is needed for the database upgrade")
	}
	return nil
}

// updateDB runs WordPress's own database upgrade (release/wp-update-db.php) on the published
// release, in the sandbox: the release read-only, the site's own credentials on standard
// input, and a network that reaches the database host only (a relay; the host name resolves
// to it, so TLS still checks the server's certificate by name).
func (j *job) updateDB(ctx context.Context, id string, d *siteDB) error {
	if j.cfg.SkipUpdateDB {
		j.logf("update-db skipped (WPFLEET_SKIP_UPDATE_DB=1)")
		return nil
	}
	script, err := helperFile("wp-update-db.php")
	if err != nil {
		return err
	}
	port := strconv.Itoa(j.cfg.DB.Port)
	r := sandboxRun{dir: filepath.Join(j.siteDir(), "releases", id), files: map[string]string{"/run/wpfleet/wp-update-db.php": script},
		dbAddr: net.JoinHostPort(j.cfg.DB.Host, port), dbListen: "127.0.0.1:" + port,
		env:  []string{"DB_TLS=" + map[bool]string{true: "on", false: "off"}[j.cfg.DB.TLS], "WPFLEET_TABLE_PREFIX=" + j.cfg.TablePrefix},
		argv: []string{"php"}, stdin: strings.NewReader(d.secretJSON), timeout: j.cfg.DB.Timeout}
	if net.ParseIP(j.cfg.DB.Host) == nil {
		r.hosts = "127.0.0.1 localhost " + j.cfg.DB.Host + "\n::1 localhost\n"
	}
	if j.cfg.DB.TLS {
		r.files["/run/wpfleet/db-ca.pem"] = j.cfg.DB.CA
		r.argv = append(r.argv, "-d", "openssl.cafile=/run/wpfleet/db-ca.pem")
	}
	r.argv = append(r.argv, "/run/wpfleet/wp-update-db.php", "/release", j.cfg.DB.Host+":"+port)
	if err := j.sandbox(ctx, r); err != nil {
		var pe *procError
		if errors.As(err, &pe) && pe.timedOut {
			return &jobError{code: exitLive, msg: fmt.Sprintf("release %s is live but the database upgrade did not finish within WPFLEET_DB_TIMEOUT=%s; fix it and run the release again", id, j.cfg.DB.Timeout)}
		}
		return &jobError{code: exitLive, msg: fmt.Sprintf("release %s is live but the database upgrade failed; fix it and run the release again", id)}
	}
	return nil
}

// helperFile finds a file shipped next to the job's program (wp-update-db.php).
func helperFile(name string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", failf("find the job's own program: %v", err)
	}
	p := filepath.Join(filepath.Dir(self), name)
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return "", failf("cannot find %s next to the program (%s)", name, self)
	}
	return p, nil
}
