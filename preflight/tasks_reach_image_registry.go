package preflight

import (
	"regexp"
)

// tasks-reach-image-registry: every ECS task can pull its images.
//
// A Fargate task pulls from Amazon ECR through the ECR API
// (com.amazonaws.<region>.ecr.api), the Docker registry endpoint
// (ecr.dkr) and Amazon S3, where the layers are (s3, a gateway endpoint),
// or through the internet (NAT); images from other registries need the
// internet. The task's security groups must let it out on TCP 443 and the
// endpoints' groups let it in (Amazon ECR interface VPC endpoints). A task
// that cannot pull never starts (CannotPullContainerError).
// Not checked offline: subnets of an existing VPC (their routes are not in
// the graph).
func tasksReachImageRegistry() Rule {
	const (
		ecr   = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html"
		fgNet = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html"
	)
	return Rule{
		Name:    "tasks-reach-image-registry",
		Doc:     "ECS tasks reach their image registry: ECR api + dkr + S3 (endpoints or NAT), other registries through NAT",
		Sources: []string{ecr, fgNet},
		check: func(g *Graph, rep *report) {
			n := g.net()
			for _, w := range workloads(g) {
				if w.td == nil {
					continue
				}
				ecrImages, other := false, false
				for _, c := range containers(g, w.td) {
					img, ok := text(c.def["image"])
					if !ok {
						continue
					}
					if ecrImageRe.MatchString(img) {
						ecrImages = true
					} else {
						other = true
					}
				}
				if ecrImages {
					checkAWSReach(rep, n, w, "Amazon ECR to pull its images", ecr, "ecr.api", "ecr.dkr", "s3")
				}
				if other {
					route, known := n.internet(w.subnets, w.publicIP)
					if known && (!route || !n.egress(w.groups, 443, dest{internet: true})) {
						rep.add(w.r, w.field, map[string]any{"securityGroups": w.groups, "subnets": w.subnets}, fgNet,
							"%s pulls images from a registry outside ECR, which needs the internet: a NAT route and TCP 443 to 0.0.0.0/0", w.what)
					}
				}
			}
		},
	}
}

var ecrImageRe = regexp.MustCompile(`^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/`)
