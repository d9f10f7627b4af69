// Package components holds wpfleet's reusable Pulumi components: the pieces a
// fleet of WordPress sites on ECS Fargate is built from (Network, SharedEFS,
// Database, UploadsBucket, WordPressSite, CronTask, Cluster, LoadBalancer,
// AlarmTopic) and Fleet, which composes them for one environment from typed
// configuration.
//
// Every component follows the same rules: its Args struct documents each field
// and its default; Validate runs before anything is registered and returns an
// error naming the field, the bad value and what is allowed; children are
// parented to the component; outputs are registered. Plain Go types decide the
// graph's shape (counts, switches, names); pulumi inputs carry values that may
// come from other resources.
package components

// typePrefix is the package and module part of every component's type token.
const typePrefix = "wpfleet:components:"
