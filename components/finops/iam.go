package finops

import (
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/facts/tagkeys"
)

// alertServices publish budget alerts and anomaly reports to the topic.
var alertServices = []string{"budgets.amazonaws.com", "costalerts.amazonaws.com"}

func sourceAccount(s scope.Scope) iamdoc.Condition {
	return iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {s.AccountID}}}
}

// KeyPolicy is the alerts key's policy: the account administers it (IAM
// grants its use), and AWS Budgets and Cost Anomaly Detection may encrypt
// messages to the topic on behalf of this account only.
func KeyPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{
			Sid: "AccountAdministersKey", Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(s.AccountRootARN()),
			Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"},
		},
		iamdoc.Statement{
			Sid: "CostAlertsEncryptToTheTopic", Effect: iamdoc.Allow, Principal: iamdoc.Services(alertServices...),
			Action: iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: iamdoc.Strings{"*"},
			Condition: sourceAccount(s),
		},
	)
}

// TopicPolicy lets the account manage the topic and AWS Budgets and Cost
// Anomaly Detection publish to it for this account's budgets and monitors.
func TopicPolicy(s scope.Scope, topicArn string) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{
			Sid: "AccountManagesTopic", Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(s.AccountRootARN()),
			Action:   iamdoc.Strings{"sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"},
			Resource: iamdoc.Strings{topicArn},
		},
		iamdoc.Statement{
			Sid: "CostAlertsPublish", Effect: iamdoc.Allow, Principal: iamdoc.Services(alertServices...),
			Action: iamdoc.Strings{"sns:Publish"}, Resource: iamdoc.Strings{topicArn},
			Condition: sourceAccount(s),
		},
		iamdoc.Statement{
			Sid: "DenyInsecureTransport", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
			Action: iamdoc.Strings{"sns:Publish"}, Resource: iamdoc.Strings{topicArn},
			Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
	)
}

// ServiceTrust lets one AWS service assume a role, for this account only.
func ServiceTrust(s scope.Scope, service string) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Effect: iamdoc.Allow, Principal: iamdoc.Services(service),
		Action: iamdoc.Strings{"sts:AssumeRole"}, Condition: sourceAccount(s),
	})
}

// ReadActions are the cleanup job's list and describe calls. AWS offers no
// resource-level permissions for them, so they are allowed on "*"; they
// read metadata, never data.
func ReadActions() []string {
	return []string{
		"sagemaker:ListApps", "sagemaker:DescribeApp", "sagemaker:ListSpaces", "sagemaker:DescribeSpace",
		"sagemaker:ListEndpoints", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig",
		"sagemaker:ListNotebookInstances", "sagemaker:ListTags",
		"elasticmapreduce:ListClusters", "elasticmapreduce:DescribeCluster", "elasticmapreduce:ListInstances",
		"ec2:DescribeVolumes", "ec2:DescribeSnapshots",
	}
}

// ActActions are the calls that change something; the job may make them
// only on resources tagged with the platform's project and environment.
func ActActions() []string {
	return []string{
		"sagemaker:DeleteApp", "sagemaker:DeleteSpace", "sagemaker:DeleteEndpoint",
		"sagemaker:StopNotebookInstance", "sagemaker:DeleteNotebookInstance",
		"elasticmapreduce:TerminateJobFlows", "ec2:DeleteVolume", "ec2:CreateSnapshot",
	}
}

// CleanupScope is what the job's role is limited to.
type CleanupScope struct {
	scope.Scope
	// Project is the project tag value; the scope's environment is the other.
	Project     string
	TopicArn    string
	KeyArn      string
	LogGroupArn string
}

// platformTagged matches resources carrying the platform's project and
// environment tags: the only ones the job may change.
func (c CleanupScope) platformTagged(prefix string) iamdoc.Condition {
	return iamdoc.Condition{"StringEquals": {
		prefix + tagkeys.Project:     {c.Project},
		prefix + tagkeys.Environment: {c.Environment},
	}}
}

// CleanupPolicy is the job's least-privilege policy: read the inventory,
// change only the platform's tagged resources of this account and region,
// tag only the snapshots it takes, publish its summary, write its logs.
func CleanupPolicy(c CleanupScope) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{Sid: "ReadInventory", Effect: iamdoc.Allow, Action: ReadActions(), Resource: iamdoc.Strings{"*"}},
		iamdoc.Statement{
			Sid: "ActOnPlatformResourcesOnly", Effect: iamdoc.Allow, Action: ActActions(),
			Resource: iamdoc.Strings{
				c.ARN("sagemaker", "app/*"), c.ARN("sagemaker", "space/*"), c.ARN("sagemaker", "endpoint/*"),
				c.ARN("sagemaker", "notebook-instance/*"), c.ARN("elasticmapreduce", "cluster/*"), c.ARN("ec2", "volume/*"),
			},
			Condition: c.platformTagged("aws:ResourceTag/"),
		},
		// Snapshot ARNs name no account; the snapshot must be created with
		// the platform's tags, so it stays attributable and in scope.
		iamdoc.Statement{
			Sid: "SnapshotsCarryThePlatformTags", Effect: iamdoc.Allow, Action: iamdoc.Strings{"ec2:CreateSnapshot"},
			Resource:  iamdoc.Strings{c.ARNInAccount("", "ec2", "snapshot/*")},
			Condition: c.platformTagged("aws:RequestTag/"),
		},
		iamdoc.Statement{
			Sid: "TagSnapshotsOnlyWhenTakingThem", Effect: iamdoc.Allow, Action: iamdoc.Strings{"ec2:CreateTags"},
			Resource:  iamdoc.Strings{c.ARNInAccount("", "ec2", "snapshot/*")},
			Condition: iamdoc.Condition{"StringEquals": {"ec2:CreateAction": {"CreateSnapshot"}}},
		},
		iamdoc.Statement{Sid: "PublishSummary", Effect: iamdoc.Allow, Action: iamdoc.Strings{"sns:Publish"}, Resource: iamdoc.Strings{c.TopicArn}},
		iamdoc.Statement{
			Sid: "EncryptSummaryThroughSNS", Effect: iamdoc.Allow, Action: iamdoc.Strings{"kms:GenerateDataKey*", "kms:Decrypt"},
			Resource:  iamdoc.Strings{c.KeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {c.ServiceHost("sns")}}},
		},
		iamdoc.Statement{
			Sid: "WriteOwnLogs", Effect: iamdoc.Allow, Action: iamdoc.Strings{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: iamdoc.Strings{c.LogGroupArn + ":*"},
		},
	)
}

// SchedulerPolicy lets the schedule invoke the function and read its own
// encrypted definition.
func SchedulerPolicy(functionArn, keyArn string) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{Sid: "InvokeCleanup", Effect: iamdoc.Allow, Action: iamdoc.Strings{"lambda:InvokeFunction"}, Resource: iamdoc.Strings{functionArn}},
		iamdoc.Statement{Sid: "DecryptSchedule", Effect: iamdoc.Allow, Action: iamdoc.Strings{"kms:Decrypt"}, Resource: iamdoc.Strings{keyArn}},
	)
}
