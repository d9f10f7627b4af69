package job

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

// gitCredential is the git credential helper the job gives git (`credential.helper`, with
// credential.useHttpPath): for `get` it answers with the username and token of the secret
// WPFLEET_GIT_CREDENTIAL_SECRET, and only when the request's protocol, host and path are
// those of the site's remote (WPFLEET_GIT_CREDENTIAL_URL): a redirect or a URL pointing
// elsewhere gets nothing. Nothing is stored; `store` and `erase` are ignored.
func gitCredential(args []string, in io.Reader, out, errw io.Writer) int {
	if len(args) != 1 || args[0] != "get" {
		return 0
	}
	req := map[string]string{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if sc.Text() == "" {
			break
		}
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			req[k] = v
		}
	}
	if err := credentialAllowed(os.Getenv("WPFLEET_GIT_CREDENTIAL_URL"), req); err != nil {
		fmt.Fprintf(errw, "git-credential: %v; no credentials given\n", err)
		return 0
	}
	secretID := os.Getenv("WPFLEET_GIT_CREDENTIAL_SECRET")
	s, err := (&job{}).secret(context.Background(), secretID)
	if err == nil {
		var f []string
		if f, err = fields(s, secretID, "username", "token"); err == nil {
			if hasControl(f[0]) || hasControl(f[1]) {
				err = fmt.Errorf("secret %s has control characters in username or token", secretID)
			} else {
				fmt.Fprintf(out, "username=%s\npassword=%s\n", f[0], f[1])
				return 0
			}
		}
	}
	fmt.Fprintf(errw, "git-credential: %v\n", err)
	return 1
}

// credentialAllowed checks a git credential request against the configured remote URL.
func credentialAllowed(remote string, req map[string]string) error {
	u, err := url.Parse(remote)
	if err != nil || remote == "" {
		return fmt.Errorf("no remote configured")
	}
	want := strings.TrimPrefix(u.Path, "/")
	switch {
	case req["protocol"] != u.Scheme:
		return fmt.Errorf("request for protocol %q, the remote is %s", req["protocol"], u.Scheme)
	case !strings.EqualFold(req["host"], u.Host):
		return fmt.Errorf("request for host %q, the remote is %s", req["host"], u.Host)
	case strings.TrimSuffix(req["path"], "/") != strings.TrimSuffix(want, "/"):
		return fmt.Errorf("request for path %q on %s, the remote is %s", req["path"], u.Host, want)
	}
	return nil
}
