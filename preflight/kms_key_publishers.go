package preflight

import (
	"fmt"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// kms-key-publishers: the KMS key of an encrypted SNS topic lets every AWS
// service that publishes to the topic use it, in the form that service
// supports.
//
// A service publishing to a topic encrypted with a customer managed key
// needs the key policy to allow its service principal kms:GenerateDataKey*
// and kms:Decrypt (SNS developer guide, "Enable compatibility between event
// sources from AWS services and encrypted topics"); without it every
// notification is dropped, silently. Publishers found in the graph:
// CloudWatch alarm actions (cloudwatch.amazonaws.com), EventBridge targets
// (events.amazonaws.com), AWS Backup vault notifications
// (backup.amazonaws.com) and S3 event notifications (s3.amazonaws.com).
// EventBridge's statement must not be limited by aws:SourceAccount,
// aws:SourceArn, aws:SourceOwner or aws:SourceOrgID: EventBridge does not
// supply those keys when it calls KMS for an encrypted topic, so the
// condition never matches (the SNS guide's note; re:Post "SNS not getting
// EventBridge notification"). EventBridge also needs the topic policy to
// allow it sns:Publish.
// Not checked offline: keys and topics outside the graph, grants.
func kmsKeyPublishers() Rule {
	const (
		snsKMS = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services"
		ebSNS  = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions"
		repost = "https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification"
	)
	return Rule{
		Name:    "kms-key-publishers",
		Doc:     "an encrypted topic's key policy allows each publishing service kms:GenerateDataKey* and kms:Decrypt (EventBridge: without source conditions); the topic policy allows EventBridge",
		Sources: []string{snsKMS, ebSNS, repost},
		check: func(g *Graph, rep *report) {
			for _, topic := range g.Of(typeSNSTopic) {
				arn := str(topic.Outputs["arn"])
				key := keyOf(g, str(topic.Inputs["kmsMasterKeyId"]))
				if key == nil {
					continue
				}
				doc := g.JSON(key, "policy")
				for _, svc := range publishers(g, arn) {
					if p, where, value := keyPolicyProblem(statements(doc), svc); p != "" {
						rep.add(key, "policy"+where, value, snsKMS, "topic %s is published to by %s, but %s", topic.Name, svc, p)
					}
					if svc == "events.amazonaws.com" && !topicAllows(g, arn, svc) {
						rep.add(topic, "policy", arn, ebSNS, "EventBridge publishes to this topic; the topic policy must allow events.amazonaws.com sns:Publish")
					}
				}
			}
		},
	}
}

// keyOf finds the graph's KMS key an SNS topic names (key ARN, key ID,
// alias name or alias ARN).
func keyOf(g *Graph, ref string) *mocks.Resource {
	if ref == "" || !known(ref) {
		return nil
	}
	if k := g.RefOf(ref, typeKMSKey); k != nil {
		return k
	}
	for _, a := range g.Of(typeKMSAlias) {
		if name, _ := physical(a, "name"); name == ref || str(a.Outputs["arn"]) == ref || strings.HasSuffix(ref, ":"+name) {
			return g.RefOf(str(a.Inputs["targetKeyId"]), typeKMSKey)
		}
	}
	return nil
}

// publishers are the service principals that publish to a topic.
func publishers(g *Graph, topicArn string) []string {
	found := map[string]bool{}
	for _, a := range g.Of(typeMetricAlarm) {
		for _, k := range []string{"alarmActions", "okActions", "insufficientDataActions"} {
			if contains(strs(a.Inputs[k]), topicArn) {
				found["cloudwatch.amazonaws.com"] = true
			}
		}
	}
	for _, t := range g.Of(typeEventTarget) {
		if str(t.Inputs["arn"]) == topicArn {
			found["events.amazonaws.com"] = true
		}
	}
	for _, n := range g.Of(typeBackupNotifications) {
		if str(n.Inputs["snsTopicArn"]) == topicArn {
			found["backup.amazonaws.com"] = true
		}
	}
	for _, n := range g.Of("aws:s3/bucketNotification:BucketNotification") {
		for _, t := range items(n.Inputs["topics"]) {
			if str(at(t, "topicArn")) == topicArn {
				found["s3.amazonaws.com"] = true
			}
		}
	}
	var out []string
	for _, s := range []string{"cloudwatch.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com", "s3.amazonaws.com"} {
		if found[s] {
			out = append(out, s)
		}
	}
	return out
}

// keyPolicyProblem says what the key policy lacks for a publishing
// service, where (a statement's condition, or the policy's statements) and
// the value found there.
func keyPolicyProblem(sts []statement, svc string) (problem, where string, value any) {
	for _, need := range []string{"kms:GenerateDataKey*", "kms:Decrypt"} {
		usable, conditioned := false, ""
		for i, s := range sts {
			if !s.allowsService(svc) || !s.allowsAction(need) && !(need == "kms:GenerateDataKey*" && s.allowsAction("kms:GenerateDataKey")) {
				continue
			}
			if svc == "events.amazonaws.com" {
				if bad := sourceConditions(s); bad != "" {
					conditioned, where, value = bad, fmt.Sprintf(".Statement[%s].Condition", s.label(i)), s.condition
					continue
				}
			}
			usable = true
		}
		switch {
		case usable:
		case conditioned != "":
			return fmt.Sprintf("the key policy lets it use %s only under a %s condition, which EventBridge does not satisfy for encrypted topics", need, conditioned), where, value
		default:
			return fmt.Sprintf("the key policy does not allow it %s", need), ".Statement", fmt.Sprintf("%d statement(s), none for %s", len(sts), svc)
		}
	}
	return "", "", nil
}

func sourceConditions(s statement) string {
	for _, k := range s.conditionKeys() {
		switch k {
		case "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid":
			return k
		}
	}
	return ""
}

// topicAllows reports whether a topic policy of the graph allows the
// service sns:Publish (a topic without a policy in the graph is assumed
// handled elsewhere).
func topicAllows(g *Graph, topicArn, svc string) bool {
	policies := 0
	for _, p := range g.Of(typeSNSTopicPolicy) {
		if str(p.Inputs["arn"]) != topicArn {
			continue
		}
		policies++
		for _, s := range statements(g.JSON(p, "policy")) {
			if s.allowsService(svc) && s.allowsAction("sns:Publish") {
				return true
			}
		}
	}
	return policies == 0
}
