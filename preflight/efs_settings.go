package preflight

import (
	"fmt"
	"regexp"
	"strings"
)

// efs-settings: EFS access points and mount targets fit the EFS API.
//
// An access point's root directory path is "/" or one to four directories
// (1-100 characters), none starting with a period, without $#<>;`|&?{}^*
// or newlines (RootDirectory Path, pattern
// ^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*/\n]+){1,4})$); creation permissions are
// three or four octal digits (CreationInfo); a POSIX uid or gid is
// 0-4294967295 (PosixUser). A file system has at most 10,000 access points
// unless raised (CreateAccessPoint) and one mount target per Availability
// Zone (CreateMountTarget: the subnets of a file system's mount targets
// are in different Availability Zones).
// Not checked offline: the AZ of a subnet of an existing VPC (only subnets
// whose AZ the graph knows are compared).
func efsSettings() Rule {
	const (
		root   = "https://docs.aws.amazon.com/efs/latest/ug/API_RootDirectory.html"
		create = "https://docs.aws.amazon.com/efs/latest/ug/API_CreateAccessPoint.html"
		posix  = "https://docs.aws.amazon.com/efs/latest/ug/API_PosixUser.html"
		info   = "https://docs.aws.amazon.com/efs/latest/ug/API_CreationInfo.html"
		mount  = "https://docs.aws.amazon.com/efs/latest/ug/API_CreateMountTarget.html"
	)
	return Rule{
		Name:    "efs-settings",
		Doc:     "EFS access point paths (1-4 levels, 100 characters), octal permissions, POSIX ids, 10,000 access points, one mount target per subnet",
		Sources: []string{root, create, posix, info, mount},
		check: func(g *Graph, rep *report) {
			perFS := map[string]int{}
			for _, ap := range g.Of(typeEFSAccessPoint) {
				perFS[str(ap.Inputs["fileSystemId"])]++
				if p, ok := text(at(ap.Inputs["rootDirectory"], "path")); ok {
					if prob := efsPathProblem(p); prob != "" {
						rep.add(ap, "rootDirectory.path", p, root, "%s", prob)
					}
				}
				if p, ok := text(at(ap.Inputs["rootDirectory"], "creationInfo.permissions")); ok && !octalRe.MatchString(p) {
					rep.add(ap, "rootDirectory.creationInfo.permissions", p, info, "permissions are 3 or 4 octal digits such as 0755")
				}
				for _, k := range []string{"posixUser.uid", "posixUser.gid", "rootDirectory.creationInfo.ownerUid", "rootDirectory.creationInfo.ownerGid"} {
					if v, ok := num(at(ap.Inputs, k)); ok && (v < 0 || v > 4294967295) {
						rep.add(ap, k, v, posix, "a POSIX id is 0-4294967295")
					}
				}
			}
			for _, fs := range g.Of(typeEFS) {
				if n := perFS[fs.ID]; n > 10000 {
					rep.add(fs, "accessPoints", n, create, "a file system has at most 10,000 access points unless raised; %d", n)
				}
			}
			seen := map[string]string{}
			for _, mt := range g.Of(typeEFSMountTarget) {
				key := str(mt.Inputs["fileSystemId"]) + " " + str(mt.Inputs["subnetId"])
				if other, dup := seen[key]; dup {
					rep.add(mt, "subnetId", mt.Inputs["subnetId"], mount, "one mount target per subnet and Availability Zone; %s already uses it", other)
				}
				seen[key] = mt.Name
			}
		},
	}
}

var (
	octalRe    = regexp.MustCompile(`^[0-7]{3,4}$`)
	efsPartBad = regexp.MustCompile("[$#<>;`|&?{}^*\n]")
)

func efsPathProblem(p string) string {
	if len(p) < 1 || len(p) > 100 {
		return fmt.Sprintf("a root directory path is 1-100 characters; it has %d", len(p))
	}
	if p == "/" {
		return ""
	}
	parts := strings.Split(p, "/")
	if parts[0] != "" || len(parts) > 5 {
		return "a root directory path is / or one to four directories below it (/a/b/c/d)"
	}
	for _, part := range parts[1:] {
		switch {
		case part == "":
			return "a root directory path has no empty directory names (// or a trailing /)"
		case strings.HasPrefix(part, "."):
			return "a directory of a root directory path cannot start with a period"
		case efsPartBad.MatchString(part):
			return "a root directory path cannot hold $ # < > ; ` | & ? { } ^ * or newlines"
		}
	}
	return ""
}
