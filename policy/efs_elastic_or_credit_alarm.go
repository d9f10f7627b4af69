package policy

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// efs-elastic-or-credit-alarm: EFS cannot silently run out of burst
// credits.
//
// Checks: each aws:efs/fileSystem:FileSystem has throughputMode elastic or
// provisioned; a bursting file system (bursting is also AWS's default when
// throughputMode is unset) needs an aws:cloudwatch/metricAlarm on
// AWS/EFS BurstCreditBalance whose FileSystemId dimension is this file
// system (matched by the engine's dependency record or by ID), that fires
// when the balance is low (a LessThan comparison) and notifies someone
// (alarmActions not empty).
// Why: the lesson wpfleet grew from: a week after launch the shared file
// system ran out of burst credits and throughput fell to the baseline of
// 50 KiB/s per GiB stored, taking every site down. Elastic throughput has no
// credits; in bursting mode the alarm gives warning while there is time to
// switch.
// Level: mandatory.
// Not applicable: stacks without EFS. Unknown throughput mode or alarm
// settings (preview): not judged.
func efsElasticOrCreditAlarm(settings) policyx.Policy {
	return stackRule("efs-elastic-or-credit-alarm",
		"EFS uses elastic (or provisioned) throughput, or has a BurstCreditBalance alarm that notifies someone.",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			for _, fs := range v.of(typeEFSFileSystem) {
				mode := prop(fs.Properties, "throughputMode")
				if unknown(mode) || str(mode) == "elastic" || str(mode) == "provisioned" {
					continue
				}
				found, silent := false, false
				for _, a := range v.of(typeMetricAlarm) {
					if str(prop(a.Properties, "namespace")) != "AWS/EFS" || str(prop(a.Properties, "metricName")) != "BurstCreditBalance" {
						continue
					}
					if !refersToDimension(a, "FileSystemId", fs) {
						continue
					}
					op := prop(a.Properties, "comparisonOperator")
					if !unknown(op) && !strings.HasPrefix(str(op), "LessThan") {
						continue
					}
					found = true
					actions := prop(a.Properties, "alarmActions")
					if !hasUnknown(actions) && len(items(actions)) == 0 {
						silent = true
					} else {
						silent = false
						break
					}
				}
				switch {
				case !found:
					report(fs, "bursting throughput without a BurstCreditBalance alarm; use throughputMode elastic, or alarm when the credits run low")
				case silent:
					report(fs, "the BurstCreditBalance alarm has no alarmActions: nobody would hear it; point it at the alarm topic")
				}
			}
		})
}

// refersToDimension reports whether an alarm's dimension points at target:
// by the engine's dependency record on `dimensions` (the alarm's dimensions
// were built from the target) or by value.
func refersToDimension(alarm policyx.AnalyzerResource, dim string, target policyx.AnalyzerResource) bool {
	v := prop(alarm.Properties, "dimensions", dim)
	if unknown(v) || v.IsNull() {
		for _, u := range alarm.PropertyDependencies["dimensions"] {
			if u == target.URN {
				return true
			}
		}
		return false
	}
	for _, k := range identifierKeys {
		if id := str(prop(target.Properties, k)); id != "" && id == str(v) {
			return true
		}
	}
	for _, u := range alarm.PropertyDependencies["dimensions"] {
		if u == target.URN {
			return true
		}
	}
	return false
}
