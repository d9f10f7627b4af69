package runtime

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpfleet/wpfleet/internal/contract"
	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// TestDatabaseCertificate: with DB_TLS=true WordPress verifies the database
// server's certificate against the image's CA bundle (openssl.cafile, the
// system's CAs plus the RDS CAs; here the test database CA in their place).
// A second MariaDB changes its certificate between the cases (FLUSH SSL):
// signed by the trusted CA for 127.0.0.1 (DB_HOST's host), WordPress
// connects; signed by another CA, or by the trusted CA for another name, the
// page fails closed (500, WordPress's database error page), the cron run
// fails, and the log says why, while the old flags (MYSQLI_CLIENT_SSL
// alone) still connect to that same server. Without the CA bundle no page is
// served at all. The bundle keeps PHP's other TLS streams working.
func TestDatabaseCertificate(t *testing.T) {
	need(t)
	dir := filepath.Join(env.tmp, "dbcert")
	// A server of its own, so that its certificate can change without
	// touching the one the other tests use; it starts while the release is
	// built.
	type started struct {
		db  *wpstack.MariaDB
		err error
	}
	dbc := make(chan started, 1)
	go func() {
		db, err := wpstack.StartMariaDB(env.bins, filepath.Join(dir, "mariadb"))
		dbc <- started{db, err}
	}()
	backing := filepath.Join(dir, "efs-backing")
	id := wpstack.NewReleaseID()
	err := os.MkdirAll(filepath.Join(backing, "dbcert"), 0o755)
	if err == nil {
		_, err = wpstack.BuildWordPressTree(env.bins, filepath.Join(backing, "dbcert"), id)
	}
	if err == nil {
		err = wpstack.Publish(env.bins, filepath.Join(backing, "dbcert"), id)
	}
	st := <-dbc
	if st.err != nil {
		t.Fatal(st.err)
	}
	db := st.db
	t.Cleanup(db.Stop)
	if err != nil {
		t.Fatal(err)
	}
	dbName, dbUser, dbPass := "wp_dbcert", "wpu_dbcert", randomSecret(t)
	if err := db.CreateSite(dbName, dbUser, dbPass); err != nil {
		t.Fatal(err)
	}
	start := func(name, phpIni string) *wpstack.Pool {
		t.Helper()
		pool, err := wpstack.StartPool(env.bins, env.repo, filepath.Join(dir, name), wpstack.PoolOptions{
			Mode: wpstack.ModeEFS, EFS: backing, PHPIni: phpIni, DB: db,
			Sites: []wpstack.PoolSite{{Name: "dbcert", DBName: dbName, DBUser: dbUser, DBPass: dbPass}},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Stop)
		return pool
	}
	site := start("task", "")
	cronRun := func(pool *wpstack.Pool) (string, error) {
		return pool.WP("dbcert", "cron", "event", "run", "--due-now")
	}

	trusted, err := wpstack.DatabaseCA()
	if err != nil {
		t.Fatal(err)
	}
	untrusted, err := wpstack.NewCA("untrusted test CA")
	if err != nil {
		t.Fatal(err)
	}
	const logPrefix = "wpfleet: no database connection to "
	for _, c := range []struct {
		name   string
		ca     *wpstack.CA
		host   string // the certificate's name
		reason string // in the log when refused; "" when it connects
	}{
		{"trusted CA and DB_HOST's name: connects", trusted, "127.0.0.1", ""},
		{"untrusted CA: refused", untrusted, "127.0.0.1", "certificate verify failed"},
		{"trusted CA for another name: refused", trusted, "db.example.invalid", "did not match expected name"},
		{"trusted CA and DB_HOST's name again: connects", trusted, "127.0.0.1", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := db.SetCert(c.ca, c.host); err != nil {
				t.Fatal(err)
			}
			logStart := fileSize(site.FPM.Log)
			resp, err := wpstack.Do("GET", site.Home("dbcert")+"/", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(site.FPM.Log)
			fpmLog := string(b[logStart:])
			cron, cronErr := cronRun(site)
			if c.reason == "" {
				// Connected: the database is empty, so WordPress sends the
				// visitor to its installer (a failed connection is a 500).
				if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || !strings.HasSuffix(loc, "/wp-admin/install.php") {
					t.Errorf("GET /: %d Location %q, want 302 to the installer (connected); page %.300s\nlog:\n%s", resp.StatusCode, loc, resp.Body, fpmLog)
				}
				if strings.Contains(fpmLog, logPrefix) || strings.Contains(cron, logPrefix) || strings.Contains(cron, "Error establishing") || cronErr != nil {
					t.Errorf("connection refused: log:\n%s\ncron run (%v):\n%s", fpmLog, cronErr, cron)
				}
				return
			}
			if resp.StatusCode != 500 || !strings.Contains(resp.Body, "Error establishing a database connection") {
				t.Errorf("GET /: %d %.300s, want 500 and WordPress's database error page", resp.StatusCode, resp.Body)
			}
			want := logPrefix + db.Addr() + " (TLS, certificate verified against " + wpstack.CABundlePath + "): "
			if !strings.Contains(fpmLog, want) || !strings.Contains(fpmLog, c.reason) {
				t.Errorf("php-fpm log does not say %q ... %q:\n%s", want, c.reason, fpmLog)
			}
			if !strings.Contains(cron, "Error establishing a database connection") || !strings.Contains(cron, want) || !strings.Contains(cron, c.reason) {
				t.Errorf("cron run against the refused server (%v):\n%s", cronErr, cron)
			}
			if strings.Contains(fpmLog+cron, dbUser) || strings.Contains(fpmLog+cron, dbPass) {
				t.Error("the log holds DB_USER's or DB_PASSWORD's value")
			}
			// The same server, PHP and settings with the old flags: encrypted,
			// any certificate accepted. So the refusal above is verification.
			if out, err := mysqliConnect(site, db, dbUser, dbPass, "MYSQLI_CLIENT_SSL"); err != nil || !strings.HasPrefix(out, "connected TLS_") {
				t.Errorf("MYSQLI_CLIENT_SSL alone against the same server: %v %s", err, out)
			}
		})
	}

	t.Run("refused login: logged without DB_USER's value", func(t *testing.T) {
		secret := contract.SiteEnv("dbcert", contract.SiteDBSecret)
		if out, err := site.RewriteSettings("dbcert", map[string]string{secret: wpstack.SecretJSON(map[string]string{"username": dbUser, "password": "not-" + dbPass})}); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		out, _ := cronRun(site)
		if out, err := site.RewriteSettings("dbcert", nil); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		want := logPrefix + db.Addr() + " (TLS, certificate verified against " + wpstack.CABundlePath + "): (HY000/1045): Access denied for user '(DB_USER)'@"
		if !strings.Contains(out, want) || strings.Contains(out, dbUser) || strings.Contains(out, dbPass) {
			t.Errorf("cron run with a wrong password: want %q and no DB_USER/DB_PASSWORD value:\n%s", want, out)
		}
	})

	t.Run("no CA bundle: no page served", func(t *testing.T) {
		missing := filepath.Join(dir, "no-such-ca-bundle.pem")
		broken := start("no-ca-bundle", "openssl.cafile = "+missing)
		want := "DB_TLS is true but the CA bundle openssl.cafile=" + missing + " is missing or unreadable"
		resp, err := wpstack.Do("GET", broken.Home("dbcert")+"/", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 503 || !strings.Contains(resp.Body, "configuration is incomplete") {
			t.Errorf("GET / without the CA bundle: %d %.300s, want 503", resp.StatusCode, resp.Body)
		}
		if log, _ := os.ReadFile(broken.FPM.Log); !strings.Contains(string(log), want) {
			t.Errorf("php-fpm log does not say %q:\n%s", want, broken.FPM.Tail(2000))
		}
		if out, err := cronRun(broken); err == nil || !strings.Contains(out, want) {
			t.Errorf("cron run without the CA bundle: %v\n%s", err, out)
		}
	})

	t.Run("CA bundle keeps PHP's other TLS streams working", func(t *testing.T) {
		checkCABundle(t, dir, trusted, untrusted)
	})
}

// checkCABundle: the installed bundle holds every system CA and the
// database CA; a bundle built by the same script from a stand-in system CA
// and the database CA makes PHP's https:// streams trust servers of the
// "system" CA and refuse others, where the database CA alone (openssl.cafile
// set to the RDS bundle only) would break them; the script refuses inputs
// that are not CA bundles.
func checkCABundle(t *testing.T, dir string, dbCA, untrusted *wpstack.CA) {
	installed := pemCerts(t, wpstack.CABundlePath)
	system := pemCerts(t, wpstack.SystemCABundle)
	have := map[string]bool{}
	for _, c := range installed {
		have[string(c.Raw)] = true
	}
	var lacking []string
	for _, c := range system {
		if !have[string(c.Raw)] {
			lacking = append(lacking, c.Subject.String())
		}
	}
	if len(lacking) > 0 {
		t.Errorf("%s lacks %d of the %d system CAs, e.g. %s", wpstack.CABundlePath, len(lacking), len(system), lacking[0])
	}
	if block, _ := pem.Decode(dbCA.PEM); block == nil || !have[string(block.Bytes)] {
		t.Errorf("%s lacks the database CA", wpstack.CABundlePath)
	}
	if len(installed) != len(system)+1 {
		t.Errorf("%s holds %d certificates, want %d system + 1", wpstack.CABundlePath, len(installed), len(system))
	}

	sysCA, err := wpstack.NewCA("stand-in system CA")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*wpstack.CA{"system.pem": sysCA, "database-ca.pem": dbCA}
	for name, ca := range files {
		if err := ca.WritePEM(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	bundle := filepath.Join(dir, "bundle.pem")
	if out, err := wpstack.RunCABundleScript(env.repo, filepath.Join(dir, "system.pem"), filepath.Join(dir, "database-ca.pem"), bundle); err != nil {
		t.Fatalf("wpfleet-ca-bundle: %v %s", err, out)
	}
	good, bad := tlsServer(t, dir, sysCA), tlsServer(t, dir, untrusted)
	fetch := func(cafile, url string) (string, error) {
		return wpstack.Run(wpstack.BaseEnv(), env.bins.PHP, "-n", "-d", "openssl.cafile="+cafile, "-d", "display_errors=stderr",
			"-r", `$r = file_get_contents($argv[1]); echo $r; exit($r === false ? 1 : 0);`, url)
	}
	if out, err := fetch(bundle, good.URL); err != nil || out != "ok" {
		t.Errorf("https:// to a server of a system CA with the combined bundle: %v %s", err, out)
	}
	if out, err := fetch(bundle, bad.URL); err == nil || !strings.Contains(out, "certificate verify failed") {
		t.Errorf("https:// to a server of an unknown CA with the combined bundle: %v %s, want refused", err, out)
	}
	if out, err := fetch(filepath.Join(dir, "database-ca.pem"), good.URL); err == nil || !strings.Contains(out, "certificate verify failed") {
		t.Errorf("https:// to a server of a system CA with the database CA alone: %v %s, want refused (why the bundle keeps the system CAs)", err, out)
	}

	// Inputs that are not CA bundles are refused and OUT is left alone.
	leafCert, leafKey := filepath.Join(dir, "leaf.pem"), filepath.Join(dir, "leaf.key")
	if err := dbCA.Issue(leafCert, leafKey, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(dir, "error-page.pem")
	if err := os.WriteFile(html, []byte("<html><body>503 Service Unavailable</body></html>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.pem")
	if err := os.WriteFile(truncated, dbCA.PEM[:len(dbCA.PEM)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(bundle)
	for rds, want := range map[string]string{
		leafCert:                          "is not a CA certificate",
		html:                              "is not a usable CA bundle",
		truncated:                         "0 well-formed PEM certificates of 1 PEM blocks",
		filepath.Join(dir, "nonexistent"): "is missing or unreadable",
	} {
		out, err := wpstack.RunCABundleScript(env.repo, wpstack.SystemCABundle, rds, bundle)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("wpfleet-ca-bundle with %s: %v %q, want a failure saying %q", filepath.Base(rds), err, out, want)
		}
	}
	if after, _ := os.ReadFile(bundle); string(after) != string(before) {
		t.Error("a refused build changed the bundle")
	}
}

// mysqliConnect connects the way WordPress does, with the given flags, in
// the site's PHP settings, and prints the session's TLS cipher.
func mysqliConnect(site *wpstack.Pool, db *wpstack.MariaDB, user, pass, flags string) (string, error) {
	code := fmt.Sprintf(`mysqli_report(MYSQLI_REPORT_OFF);
$h = mysqli_init();
if (!@mysqli_real_connect($h, '127.0.0.1', getenv('T_USER'), getenv('T_PASS'), null, %d, null, %s)) { echo 'refused: ', mysqli_connect_error(); exit(1); }
echo 'connected ', $h->query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")->fetch_row()[1];`, db.Port, flags)
	vars := append(wpstack.BaseEnv(), "T_USER="+user, "T_PASS="+pass, "PHP_INI_SCAN_DIR="+site.PHPIniScanDir("cli"))
	return wpstack.Run(vars, env.bins.PHP, "-r", code)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func pemCerts(t *testing.T, path string) []*x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		if block, b = pem.Decode(b); block == nil {
			return certs
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		certs = append(certs, c)
	}
}

// tlsServer is an HTTPS server on 127.0.0.1 answering "ok", with a
// certificate for 127.0.0.1 signed by ca.
func tlsServer(t *testing.T, dir string, ca *wpstack.CA) *httptest.Server {
	t.Helper()
	certDir, err := os.MkdirTemp(dir, "https-")
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(certDir, "cert.pem"), filepath.Join(certDir, "key.pem")
	if err := ca.Issue(certFile, keyFile, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
