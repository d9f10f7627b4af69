package wpstack

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// MariaDB is a private MariaDB server on 127.0.0.1 that accepts TLS
// connections only (require_secure_transport), the way Aurora is reached
// with DB_TLS=true. Its certificate is signed by DatabaseCA (the stand-in
// for the Amazon RDS CA) for 127.0.0.1, the host of DB_HOST.
type MariaDB struct {
	Dir      string
	Socket   string
	Port     int
	Proc     *Proc
	CertFile string
	KeyFile  string
	bins     Binaries
}

// StartMariaDB initialises a data directory under dir and starts the server.
func StartMariaDB(b Binaries, dir string) (*MariaDB, error) {
	m := &MariaDB{Dir: dir, Socket: filepath.Join(dir, "mysqld.sock"), bins: b,
		CertFile: filepath.Join(dir, "server-cert.pem"), KeyFile: filepath.Join(dir, "server-key.pem")}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	ca, err := DatabaseCA()
	if err != nil {
		return nil, err
	}
	if err := ca.Issue(m.CertFile, m.KeyFile, "127.0.0.1"); err != nil {
		return nil, err
	}
	if _, err := Run(BaseEnv(), b.MariaDBInstall, "--no-defaults", "--datadir="+data, "--user=root",
		"--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"); err != nil {
		return nil, fmt.Errorf("mariadb-install-db: %w", err)
	}
	if m.Port, err = FreePort(); err != nil {
		return nil, err
	}
	m.Proc, err = Start("mariadbd", filepath.Join(dir, "mariadbd.log"), BaseEnv(), b.MariaDBd,
		"--no-defaults", "--datadir="+data, "--socket="+m.Socket, "--port="+strconv.Itoa(m.Port),
		"--bind-address=127.0.0.1", "--user=root", "--pid-file="+filepath.Join(dir, "mysqld.pid"),
		"--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=128M",
		"--innodb-flush-log-at-trx-commit=2", "--log-error="+filepath.Join(dir, "error.log"),
		"--ssl-cert="+m.CertFile, "--ssl-key="+m.KeyFile, "--require-secure-transport=ON")
	if err != nil {
		return nil, err
	}
	err = WaitFor(m.Proc, 60*time.Second, "MariaDB socket", func() error {
		_, err := m.SQL("SELECT 1")
		return err
	})
	if err != nil {
		b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		m.Stop()
		return nil, fmt.Errorf("%w\nerror.log:\n%s", err, lastLines(string(b), 30))
	}
	return m, nil
}

// SQL runs statements as root over the Unix socket.
func (m *MariaDB) SQL(stmts string) (string, error) {
	return Run(BaseEnv(), m.bins.MariaDB, "--no-defaults", "--socket="+m.Socket, "-uroot", "--batch", "--skip-column-names", "-e", stmts)
}

// CreateSite creates a database and a user that may use it from 127.0.0.1.
func (m *MariaDB) CreateSite(db, user, password string) error {
	_, err := m.SQL(fmt.Sprintf("CREATE DATABASE `%s` CHARACTER SET utf8mb4; CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY '%s'; GRANT ALL ON `%s`.* TO '%s'@'127.0.0.1';",
		db, user, password, db, user))
	return err
}

// Addr is DB_HOST for WordPress.
func (m *MariaDB) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(m.Port)) }

// Stop shuts the server down.
func (m *MariaDB) Stop() {
	if m.Proc != nil {
		_ = m.Proc.Stop(syscall.SIGTERM, 30*time.Second)
	}
}

// SetCert gives the server a new certificate signed by ca for names (IP
// addresses or DNS names), for the connections that follow (FLUSH SSL).
func (m *MariaDB) SetCert(ca *CA, names ...string) error {
	if err := ca.Issue(m.CertFile, m.KeyFile, names...); err != nil {
		return err
	}
	_, err := m.SQL("FLUSH SSL")
	return err
}
