// Package policy is wpfleet's security policy pack, written with the Pulumi
// Go SDK's policyx package: one rule per file, each file saying what it
// checks, why (the AWS Foundational Security Best Practices control where
// one applies, and the lesson from wpfleet's own story), its enforcement
// level, and when it does not apply.
//
// # Running it
//
// For real, policy/pack serves Pack to the Pulumi engine:
//
//	pulumi preview --policy-pack policy/pack
//
// Offline, Check runs a pack on resources the way the engine does, and
// FromMocks turns a recorded run of a program (mocks.Run, program.Preview)
// into those resources; the tests run the pack on both shipped stacks this
// way and over gRPC against the built policy/pack binary.
//
// # What a rule sees
//
// Resource rules receive each resource's inputs, as the engine sends them
// to analyzers: property names are the pulumi-aws schema names
// (storageEncrypted, containerDefinitions as a JSON string, policy as a
// JSON string), the same keys as mocks.Resource.Inputs. Stack rules receive
// every resource of the stack, with its outputs under the engine (inputs
// plus IDs and ARNs once known) and its property dependencies; they link
// resources (a bucket policy to its bucket, an alarm to its file system)
// through those dependencies first, which hold during preview, and through
// ID/ARN/name values second.
//
// Of the resource options the engine sends analyzers only protect,
// ignoreChanges, deleteBeforeReplace, aliases, custom timeouts and parent:
// retainOnDelete is not part of the analyzer protocol, so no rule can
// require it (prod-deletion-protection asks for protect).
//
// # Unknown values
//
// During `pulumi preview`, an input built from another resource's output is
// unknown. A rule never reads an unknown value as a violation (or as
// compliant): it leaves that check out. Resource rules run again when
// `pulumi up` registers each resource, with its inputs known, before the
// resource is created or updated, so a violation hidden in preview still
// stops the update there. Stack rules run at the end of preview and of
// update (after the update, on the final outputs; a mandatory violation then
// fails the update but does not undo it), so run `pulumi preview` with the
// pack in CI before `pulumi up`. policyx installs no recover in its gRPC
// handlers: a rule that panics kills the pack and fails the operation,
// which is why rules read properties only through the helpers in values.go
// and the tests run every rule on stacks whose values are all unknown.
//
// # Production
//
// prod-deletion-protection and prod-multi-az apply to resources of
// production environments only. A resource's environment is its
// `environment` tag (every wpfleet resource carries it; components.Tags),
// or, for a resource without one, its stack's: the value most tagged
// resources of the stack carry (stack rules) or the stack name in its URN
// (resource rules; wpfleet's environment defaults to the stack name).
// Production environments are Options.ProductionEnvironments, by default
// "prod" and "production"; the served pack reads them from
// WPFLEET_PRODUCTION_ENVIRONMENTS (comma-separated). It is a pack option and
// not policy config because policyx passes policy config to resource rules
// only; StackValidationArgs carries none.
//
// # Enforcement
//
// Every rule is mandatory except backup-vault-customer-key (advisory: the
// vault is encrypted either way). Policy config changes a rule's level for
// a stack, for example to make s3-no-public-access-except-oac advisory for
// a stack that opts into the seed's public S3 website hosting:
//
//	echo '{"s3-no-public-access-except-oac": "advisory"}' > policy-config.json
//	pulumi preview --policy-pack policy/pack --policy-pack-config policy-config.json
package policy
