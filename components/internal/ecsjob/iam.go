package ecsjob

import (
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
)

// Service principals of the jobs' roles.
const (
	// ECSTasksService assumes the task and execution roles, and is the only
	// service they may be passed to.
	ECSTasksService = "ecs-tasks.amazonaws.com"
	// SchedulerService assumes the roles of the schedules that start jobs.
	SchedulerService = "scheduler.amazonaws.com"
)

// ScheduleGroup is the EventBridge Scheduler group of the jobs' schedules.
const ScheduleGroup = "default"

// ScheduleARN is the ARN of a schedule of ScheduleGroup.
func ScheduleARN(s scope.Scope, name string) string {
	return s.ARN("scheduler", "schedule/"+ScheduleGroup+"/"+name)
}

// ScheduleGroupARN is the ARN of ScheduleGroup.
func ScheduleGroupARN(s scope.Scope) string {
	return s.ARN("scheduler", "schedule-group/"+ScheduleGroup)
}

// TaskTrustPolicy lets only ECS tasks of this account assume a role (the
// confused-deputy conditions of the ECS developer guide, "Task IAM role").
func TaskTrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "ECSTasksOfThisAccount",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services(ECSTasksService),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{
			"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			"ArnLike":      {"aws:SourceArn": {s.ARN("ecs", "*")}},
		},
	})
}

// SchedulerTrustPolicy lets only EventBridge Scheduler, for schedules of
// this account's schedule group, assume a schedule's role.
func SchedulerTrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "SchedulerForThisAccountsGroup",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services(SchedulerService),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{
			"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			"ArnLike":      {"aws:SourceArn": {ScheduleGroupARN(s)}},
		},
	})
}

// Execution is what a job's execution role reaches.
type Execution struct {
	// Job names the job in the statement ids ("Optimiser": PullTheOptimiserImage).
	Job string
	// RepositoryArn is the job's image repository.
	RepositoryArn string
	// LogGroupName is the job's task log group.
	LogGroupName string
}

// ExecutionRolePolicy is what ECS needs to start a job: pull the image from
// the job's repository and write the task log group's streams. ECR's
// authorization token has no resource-level permission. Images in a
// repository encrypted with a customer-managed key are decrypted through
// the grant ECR holds on the key, not by the puller.
func ExecutionRolePolicy(s scope.Scope, e Execution) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{
			Sid:      "PullThe" + e.Job + "Image",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"},
			Resource: iamdoc.Strings{e.RepositoryArn},
		},
		iamdoc.Statement{
			Sid:      "RegistryLogin",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"ecr:GetAuthorizationToken"},
			Resource: iamdoc.Strings{"*"},
		},
		iamdoc.Statement{
			Sid:      "WriteTheTaskLogs",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: iamdoc.Strings{s.LogGroupARN(e.LogGroupName) + ":log-stream:*"},
		},
	)
}

// RepositoryPolicy admits this account (IAM decides who pushes and pulls)
// and refuses every other account.
func RepositoryPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "AccountPushesAndPulls",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(s.AccountRootARN()),
			Action: iamdoc.Strings{
				"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability",
				"ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
				"ecr:DescribeImages", "ecr:DescribeImageScanFindings",
			},
		},
		iamdoc.Statement{
			Sid:       "DenyOtherAccounts",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"ecr:*"},
			Condition: iamdoc.Condition{"StringNotEquals": {"aws:PrincipalAccount": {s.AccountID}}},
		},
	)
}
