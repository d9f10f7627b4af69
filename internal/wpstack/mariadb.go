package wpstack

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// MariaDB is a private MariaDB server on 127.0.0.1 that accepts TLS
// connections only (require_secure_transport), the way Aurora is reached
// with DB_TLS=true.
type MariaDB struct {
	Dir    string
	Socket string
	Port   int
	Proc   *Proc
	bins   Binaries
}

// StartMariaDB initialises a data directory under dir and starts the server.
func StartMariaDB(b Binaries, dir string) (*MariaDB, error) {
	m := &MariaDB{Dir: dir, Socket: filepath.Join(dir, "mysqld.sock"), bins: b}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	cert, key, err := selfSignedCert(dir)
	if err != nil {
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
		"--ssl-cert="+cert, "--ssl-key="+key, "--require-secure-transport=ON")
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

func selfSignedCert(dir string) (certPath, keyPath string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	certPath, keyPath = filepath.Join(dir, "server-cert.pem"), filepath.Join(dir, "server-key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return "", "", err
	}
	return certPath, keyPath, nil
}
