// Package components holds wpfleet's reusable Pulumi components, at three
// levels (docs/components.md):
//
//   - Platform: what the sites of an environment share (network, cluster,
//     ALB, shared EFS, Aurora, alarm topic, backups, WAF, the security-group
//     topology);
//   - WordPressSite: what belongs to one site (hostnames, certificate, DNS,
//     CloudFront distribution, access point, secrets, uploads bucket, batch
//     jobs, alarms), on a *Platform;
//   - SitePool: one ECS service serving one or more sites, with their
//     listener rules, wp-cron and autoscaling.
//
// Fleet maps a stack's configuration (FleetArgs) onto them and owns no
// resource of its own. Every component follows the same rules: its Args
// struct documents each field and its default; Validate runs before anything
// is registered and returns an error naming the field, the bad value and what
// is allowed; children are parented to the component; outputs are registered.
// Every physical name comes from Names.
package components

// typePrefix is the package and module part of every component's type token.
const typePrefix = "wpfleet:components:"
