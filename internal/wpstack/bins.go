package wpstack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Binaries are the programs the runtime stack needs, from Debian packages
// (.ci/apt-packages).
type Binaries struct {
	Nginx, PHPFPM, PHP, MariaDBd, MariaDBInstall, MariaDB string
	Envsubst, CgiFcgi, Tar, Zstd                          string
	// Shell runs the images' entrypoint scripts: busybox's ash (the shell of
	// the Alpine images) when installed, else /bin/sh.
	Shell []string
	// Chromium is optional for most checks (screenshot only).
	Chromium string
	// PHPConfD is Debian's php-fpm conf.d (extension ini files).
	PHPConfD string
	// WordPress is Debian's WordPress tree.
	WordPress string
}

// FindBinaries locates everything; missing lists what is absent, with the
// Debian package that provides it.
func FindBinaries() (b Binaries, missing []string) {
	look := func(pkg string, names ...string) string {
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				return p
			}
			for _, dir := range []string{"/usr/sbin", "/sbin"} {
				if p := filepath.Join(dir, n); isExec(p) {
					return p
				}
			}
		}
		missing = append(missing, fmt.Sprintf("%s (Debian package %s)", names[0], pkg))
		return ""
	}
	b.Nginx = look("nginx", "nginx")
	b.PHPFPM = look("php-fpm", "php-fpm8.2", "php-fpm8.3", "php-fpm")
	b.PHP = look("php-cli", "php")
	b.MariaDBd = look("mariadb-server", "mariadbd")
	b.MariaDBInstall = look("mariadb-server", "mariadb-install-db")
	b.MariaDB = look("mariadb-client", "mariadb")
	b.Envsubst = look("gettext-base", "envsubst")
	b.CgiFcgi = look("libfcgi-bin", "cgi-fcgi")
	b.Tar = look("tar", "tar")
	b.Zstd = look("zstd", "zstd")
	b.Shell = entrypointShell()
	for _, n := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(n); err == nil {
			b.Chromium = p
			break
		}
	}
	if b.PHPFPM != "" {
		// /usr/sbin/php-fpm8.2 -> /etc/php/8.2/fpm/conf.d
		v := strings.TrimPrefix(filepath.Base(b.PHPFPM), "php-fpm")
		if v == "" {
			v = phpVersionDir()
		}
		b.PHPConfD = filepath.Join("/etc/php", v, "fpm", "conf.d")
		if _, err := os.Stat(b.PHPConfD); err != nil {
			missing = append(missing, b.PHPConfD+" (Debian package php-fpm)")
		}
	}
	for _, ext := range []string{"mysqli", "gd", "curl", "mbstring", "xml", "zip", "intl"} {
		if b.PHPConfD != "" && !hasExt(b.PHPConfD, ext) {
			missing = append(missing, fmt.Sprintf("PHP extension %s (Debian package php-%s)", ext, debExt(ext)))
		}
	}
	if _, err := os.Stat(SystemCABundle); err != nil {
		missing = append(missing, SystemCABundle+" (Debian package ca-certificates)")
	}
	b.WordPress = "/usr/share/wordpress"
	if _, err := os.Stat(filepath.Join(b.WordPress, "wp-settings.php")); err != nil {
		missing = append(missing, "/usr/share/wordpress (Debian package wordpress)")
	}
	if _, err := os.Stat(filepath.Join(b.WordPress, "wp-content/themes/twentytwentythree/theme.json")); err != nil {
		missing = append(missing, "theme twentytwentythree (Debian package wordpress-theme-twentytwentythree)")
	}
	return b, missing
}

// entrypointShell runs the images' scripts: busybox's ash (the shell of the
// Alpine images) when installed, else /bin/sh.
func entrypointShell() []string {
	if p, err := exec.LookPath("busybox"); err == nil {
		return []string{p, "sh"}
	}
	return []string{"/bin/sh"}
}

func debExt(ext string) string {
	if ext == "mysqli" {
		return "mysql"
	}
	return ext
}

func hasExt(confd, ext string) bool {
	m, _ := filepath.Glob(filepath.Join(confd, "*-"+ext+".ini"))
	return len(m) > 0
}

func phpVersionDir() string {
	m, _ := filepath.Glob("/etc/php/*/fpm")
	sort.Strings(m)
	if len(m) == 0 {
		return ""
	}
	return filepath.Base(filepath.Dir(m[len(m)-1]))
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
