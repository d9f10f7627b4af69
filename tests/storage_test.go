package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

func TestSharedEFS(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			fs := onlyOne(t, res.Resources, "aws:efs/fileSystem:FileSystem", "one file system for all sites")
			assert.Equal(t, true, fs.Inputs["encrypted"])
			assert.Equal(t, "elastic", fs.Inputs["throughputMode"])
			assert.Equal(t, "generalPurpose", fs.Inputs["performanceMode"])

			// A mount target in each private subnet (one per AZ), in the EFS group.
			vpc := onlyOne(t, res.Resources, "awsx:ec2:Vpc", stack)
			private := vpc.Outputs["privateSubnetIds"].([]any)
			require.Len(t, private, args.AvailabilityZones)
			efsSG, ok := res.Find("aws:ec2/securityGroup:SecurityGroup", stack+"-efs")
			require.True(t, ok)
			var subnets []any
			for _, mt := range res.ByType("aws:efs/mountTarget:MountTarget") {
				assert.Equal(t, fs.ID, mt.Inputs["fileSystemId"])
				assert.Equal(t, []any{efsSG.ID}, mt.Inputs["securityGroups"])
				subnets = append(subnets, mt.Inputs["subnetId"])
			}
			assert.ElementsMatch(t, private, subnets, "a mount target per AZ")

			bp := onlyOne(t, res.Resources, "aws:efs/backupPolicy:BackupPolicy", "EFS backup policy")
			assert.Equal(t, "DISABLED", at(bp.Inputs, "backupPolicy.status"), "the environment's Backup plan covers EFS instead")
			sel := onlyOne(t, res.Resources, "aws:backup/selection:Selection", "backup selection")
			assert.Contains(t, sel.Inputs["resources"], fs.Outputs["arn"], "EFS is in the Backup plan")

			pol := onlyOne(t, res.Resources, "aws:efs/fileSystemPolicy:FileSystemPolicy", "EFS policy")
			doc := jsonInput(t, pol, "policy")
			assert.True(t, deniesInsecureTransport(doc), "the file system refuses non-TLS clients")
			allow := statement(t, doc, "AccountPrincipalsThroughMountTargets")
			assert.Equal(t, "true", at(allow, "Condition.Bool.elasticfilesystem:AccessedViaMountTarget"))
			assert.NotContains(t, strList(allow["Action"]), "elasticfilesystem:ClientRootAccess", "nobody mounts as root")

			aps := map[string]mocks.Resource{}
			for _, ap := range res.ByType("aws:efs/accessPoint:AccessPoint") {
				aps[str(at(ap.Inputs, "rootDirectory.path"))] = ap
				assert.Equal(t, fs.ID, ap.Inputs["fileSystemId"])
				assert.EqualValues(t, components.WebUID, at(ap.Inputs, "posixUser.uid"), "every access point acts as www-data (uid 82)")
				assert.EqualValues(t, components.WebGID, at(ap.Inputs, "posixUser.gid"))
				assert.EqualValues(t, components.WebUID, at(ap.Inputs, "rootDirectory.creationInfo.ownerUid"))
				assert.Equal(t, "0755", at(ap.Inputs, "rootDirectory.creationInfo.permissions"))
			}
			for _, site := range siteNames(t, stackConfig(t, stack).Config) {
				_, ok := aps[components.SiteRoot(site)]
				assert.Truef(t, ok, "access point for %s", site)
			}
			_, ok = aps["/sites"]
			assert.True(t, ok, "the release job's access point")
			assert.Len(t, aps, len(args.Sites)+1)
			assert.Empty(t, alarmsOn(res, "BurstCreditBalance"), "elastic mode needs no burst-credit alarm")
			assert.Len(t, alarmsOn(res, "MeteredIOBytes"), 1, "elastic mode watches metered throughput")
		})
	}
}

func TestBurstingAddsCreditAlarm(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "stg").Config)
	cfg["wpfleet:efsThroughputMode"] = "bursting"
	res, _, err := runConfig("stg", cfg)
	require.NoError(t, err)
	alarms := alarmsOn(res, "BurstCreditBalance")
	require.Len(t, alarms, 1)
	assert.Empty(t, alarmsOn(res, "MeteredIOBytes"))
	a := alarms[0].Inputs
	assert.Equal(t, "AWS/EFS", a["namespace"])
	assert.Equal(t, "LessThanThreshold", a["comparisonOperator"])
	assert.EqualValues(t, components.BurstCreditThresholdBytes(60), a["threshold"])
	assert.Equal(t, res.ByType("aws:efs/fileSystem:FileSystem")[0].ID, at(a, "dimensions.FileSystemId"))
	topic := res.ByType("aws:sns/topic:Topic")[0]
	assert.Equal(t, []any{topic.Outputs["arn"]}, a["alarmActions"], "the alarm notifies the environment's topic")
}

func TestDatabase(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			cluster := onlyOne(t, res.Resources, "aws:rds/cluster:Cluster", "one Aurora cluster")
			c := cluster.Inputs
			assert.Equal(t, "aurora-mysql", c["engine"])
			assert.Equal(t, "provisioned", c["engineMode"], "Serverless v2 runs in provisioned engine mode")
			assert.Equal(t, components.DefaultEngineVersion, c["engineVersion"])
			assert.NoError(t, components.CheckEngineVersion(str(c["engineVersion"])))
			assert.Equal(t, components.NamesFor(stack).ClusterIdentifier(), c["clusterIdentifier"])
			assert.Equal(t, true, c["storageEncrypted"])
			assert.Equal(t, true, c["manageMasterUserPassword"], "master password managed by RDS in Secrets Manager")
			assert.Nil(t, c["masterPassword"])
			assert.ElementsMatch(t, []any{"error", "slowquery"}, c["enabledCloudwatchLogsExports"])
			pg := onlyOne(t, res.Resources, "aws:rds/clusterParameterGroup:ClusterParameterGroup", "parameter group")
			assert.Contains(t, pg.Inputs["parameters"], map[string]any{"name": "require_secure_transport", "value": "ON"})
			assert.Equal(t, pg.Outputs["name"], c["dbClusterParameterGroupName"])
			// The exported logs' groups exist with a retention before the cluster writes to them.
			for _, l := range []string{"error", "slowquery"} {
				lg, ok := res.Find("aws:cloudwatch/logGroup:LogGroup", stack+"-"+l)
				require.True(t, ok)
				assert.Equal(t, "/aws/rds/cluster/"+str(c["clusterIdentifier"])+"/"+l, lg.Inputs["name"])
				assert.Contains(t, cluster.Dependencies, lg.URN)
			}
			instances := res.ByType("aws:rds/clusterInstance:ClusterInstance")
			azs := map[string]bool{}
			for _, i := range instances {
				assert.Equal(t, false, i.Inputs["publiclyAccessible"])
				assert.Equal(t, "db.serverless", i.Inputs["instanceClass"], "Serverless v2")
				assert.Equal(t, cluster.ID, i.Inputs["clusterIdentifier"])
				azs[str(i.Inputs["availabilityZone"])] = true
			}
			sg := onlyOne(t, res.Descendants(component(t, res, "Database", stack).URN), "aws:ec2/securityGroup:SecurityGroup", "db group")
			assert.Equal(t, []any{sg.ID}, c["vpcSecurityGroupIds"])
			switch stack {
			case "prod":
				assert.Equal(t, true, c["deletionProtection"])
				assert.Equal(t, false, c["skipFinalSnapshot"])
				assert.Equal(t, "wpfleet-prod-final", c["finalSnapshotIdentifier"])
				assert.EqualValues(t, 14, c["backupRetentionPeriod"])
				assert.EqualValues(t, 0.5, at(c, "serverlessv2ScalingConfiguration.minCapacity"))
				assert.EqualValues(t, 16, at(c, "serverlessv2ScalingConfiguration.maxCapacity"))
				assert.Nil(t, at(c, "serverlessv2ScalingConfiguration.secondsUntilAutoPause"), "prod never pauses")
				require.Len(t, instances, 2, "a writer and its failover reader")
				assert.Len(t, azs, 2, "in two AZs")
				assert.True(t, cluster.Options.Protect)
				assert.True(t, cluster.Options.RetainOnDelete)
			case "stg":
				assert.Equal(t, false, c["deletionProtection"])
				assert.Equal(t, true, c["skipFinalSnapshot"])
				assert.Nil(t, c["finalSnapshotIdentifier"])
				assert.EqualValues(t, 0, at(c, "serverlessv2ScalingConfiguration.minCapacity"), "scales to zero")
				assert.EqualValues(t, 600, at(c, "serverlessv2ScalingConfiguration.secondsUntilAutoPause"))
				require.Len(t, instances, 1)
				assert.False(t, cluster.Options.Protect)
			}
		})
	}
}

func TestUploadsBuckets(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			noncurrent := fleetArgs(t, stack).UploadsNoncurrentDays
			for _, b := range res.ByType("wpfleet:components:UploadsBucket") {
				d := res.Descendants(b.URN)
				own := onlyOne(t, d, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", b.Name)
				assert.Equal(t, "BucketOwnerEnforced", at(own.Inputs, "rule.objectOwnership"), "ACLs disabled: S3-Uploads writes private objects")
				pab := onlyOne(t, d, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", b.Name)
				for _, k := range []string{"blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"} {
					assert.Equalf(t, true, pab.Inputs[k], "%s %s", b.Name, k)
				}
				sse := onlyOne(t, d, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", b.Name)
				assert.Equal(t, "AES256", at(sse.Inputs, "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"))
				ver := onlyOne(t, d, "aws:s3/bucketVersioningV2:BucketVersioningV2", b.Name)
				assert.Equal(t, "Enabled", at(ver.Inputs, "versioningConfiguration.status"))
				lc := onlyOne(t, d, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", b.Name)
				assert.EqualValues(t, noncurrent, at(lc.Inputs, "rules.0.noncurrentVersionExpiration.noncurrentDays"))
				pol := onlyOne(t, d, "aws:s3/bucketPolicy:BucketPolicy", b.Name)
				doc := jsonInput(t, pol, "policy")
				assert.True(t, deniesInsecureTransport(doc))
				assert.Equal(t, "1.2", at(statement(t, doc, "DenyOutdatedTLS"), "Condition.NumericLessThan.s3:TlsVersion"))
				assert.Contains(t, pol.Dependencies, pab.URN, "the policy waits for the public access block")
				assert.Empty(t, ofType(d, "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2"), "no website hosting: uploads go through CloudFront")
				bucket := onlyOne(t, d, "aws:s3/bucketV2:BucketV2", b.Name)
				assert.Equal(t, strings.ToLower(str(bucket.Outputs["bucket"])), bucket.Outputs["bucket"])
				assert.Equal(t, stack == "prod", bucket.Options.Protect, b.Name)
				assert.Equal(t, false, bucket.Inputs["forceDestroy"])
			}
		})
	}
}
