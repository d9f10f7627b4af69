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
	"sync"
	"time"
)

// SystemCABundle is the system's CA bundle, at the same path on Debian
// (package ca-certificates) and Alpine (the php image).
const SystemCABundle = "/etc/ssl/certs/ca-certificates.crt"

// CABundlePath is PHP's openssl.cafile in the php image (image/php/conf.d):
// the system's CAs plus the Amazon RDS CAs, built by
// image/php/wpfleet-ca-bundle.
const CABundlePath = "/etc/wpfleet/ca-bundle.pem"

// CA is a certificate authority for test servers.
type CA struct {
	Name string
	PEM  []byte // the CA certificate
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewCA creates a CA valid for a day.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"wpfleet tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Name: name, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), cert: cert, key: key}, nil
}

// Issue writes a server certificate signed by the CA for names (IP
// addresses or DNS names) to certPath, and its key to keyPath.
func (ca *CA) Issue(certPath, keyPath string, names ...string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	// Written next to the target and renamed, so a server reloading its
	// certificate never reads half a file.
	for path, block := range map[string]*pem.Block{certPath: {Type: "CERTIFICATE", Bytes: der}, keyPath: {Type: "PRIVATE KEY", Bytes: kder}} {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, pem.EncodeToMemory(block), 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return nil
}

// WritePEM writes the CA certificate to path.
func (ca *CA) WritePEM(path string) error { return os.WriteFile(path, ca.PEM, 0o644) }

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

var databaseCA struct {
	once sync.Once
	ca   *CA
	err  error
}

// DatabaseCA is the stand-in for the Amazon RDS CA: one per process. It
// signs the certificates of the MariaDB servers StartMariaDB starts, and
// InstallPlatformConfig puts it into the CA bundle in place of the RDS
// bundle.
func DatabaseCA() (*CA, error) {
	databaseCA.once.Do(func() {
		databaseCA.ca, databaseCA.err = NewCA("wpfleet test database CA (stands in for the Amazon RDS CA)")
	})
	return databaseCA.ca, databaseCA.err
}

// InstallCABundle builds CABundlePath the way the php image does, with
// image/php/wpfleet-ca-bundle: the system's CAs plus DatabaseCA in place of
// the RDS bundle (needs root). It returns a function that puts back what was
// there before.
func InstallCABundle(repo string) (restore func(), err error) {
	ca, err := DatabaseCA()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "wpfleet-ca-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	caFile := filepath.Join(tmp, "database-ca.pem")
	if err := ca.WritePEM(caFile); err != nil {
		return nil, err
	}
	old, readErr := os.ReadFile(CABundlePath)
	if err := os.MkdirAll(filepath.Dir(CABundlePath), 0o755); err != nil {
		return nil, fmt.Errorf("install %s (needs root): %w", CABundlePath, err)
	}
	if _, err := RunCABundleScript(repo, SystemCABundle, caFile, CABundlePath); err != nil {
		return nil, fmt.Errorf("install %s: %w", CABundlePath, err)
	}
	return func() {
		if readErr == nil {
			_ = os.WriteFile(CABundlePath, old, 0o644)
			return
		}
		_ = os.Remove(CABundlePath)
		_ = os.Remove(filepath.Dir(CABundlePath))
	}, nil
}

// RunCABundleScript runs image/php/wpfleet-ca-bundle SYSTEM RDS OUT with the
// images' shell.
func RunCABundleScript(repo, system, rds, out string) (string, error) {
	argv := append(append([]string{}, entrypointShell()...), filepath.Join(repo, "image/php/wpfleet-ca-bundle"), system, rds, out)
	return Run(BaseEnv(), argv...)
}
