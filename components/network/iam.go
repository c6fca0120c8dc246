package network

import (
	"slices"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
)

// S3EndpointPolicy allows this account's principals to read and write the
// listed buckets of this account (directly and through their access points) and to pull
// container image layers from ECR's bucket; every other bucket is
// unreachable from inside the VPC.
func S3EndpointPolicy(s scope.Scope, bucketArns []string) iamdoc.Document {
	var resources iamdoc.Strings
	for _, b := range bucketArns {
		resources = append(resources, b, b+"/*")
	}
	resources = append(resources, s.AccessPointARN("*"))
	slices.Sort(resources)
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "PlatformBucketsOnly",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Anyone(),
			Action: iamdoc.Strings{
				"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
				"s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation",
				"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucketMultipartUploads",
			},
			Resource: resources,
			// Bucket names are global: the account conditions keep a bucket
			// of the same name in another account (an exfiltration target)
			// out of reach, and callers to this account's principals.
			Condition: iamdoc.Condition{"StringEquals": {
				"aws:PrincipalAccount": {s.AccountID},
				"s3:ResourceAccount":   {s.AccountID},
			}},
		},
		iamdoc.Statement{
			Sid:       "EcrImageLayers",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:GetObject"},
			Resource:  iamdoc.Strings{s.BucketARN("prod-" + s.Region + "-starport-layer-bucket/*")},
		},
		// EMR nodes in private subnets install their packages from these
		// AWS-owned repositories; without them a cluster never bootstraps.
		iamdoc.Statement{
			Sid:       "EmrAndAmazonLinuxRepositories",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:GetObject"},
			Resource: iamdoc.Strings{
				s.BucketARN("repo." + s.Region + ".emr.amazonaws.com/*"),
				s.BucketARN("amazonlinux." + s.Region + ".amazonaws.com/*"),
				s.BucketARN("amazonlinux-2-repos-" + s.Region + "/*"),
				s.BucketARN("al2023-repos-" + s.Region + "-de612dc2/*"),
			},
		},
	)
}

// FlowLogsTrustPolicy lets only VPC Flow Logs, acting for this account, assume the role.
func FlowLogsTrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services("vpc-flow-logs.amazonaws.com"),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{
			"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			"ArnLike":      {"aws:SourceArn": {s.ARN("ec2", "vpc-flow-log/*")}},
		},
	})
}

// FlowLogsDeliveryPolicy lets the role write to the one flow log group.
func FlowLogsDeliveryPolicy(logGroupArn string) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Effect:   iamdoc.Allow,
		Action:   iamdoc.Strings{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"},
		Resource: iamdoc.Strings{logGroupArn, logGroupArn + ":*"},
	})
}
