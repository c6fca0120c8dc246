package pipeline_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aifactory/platform/components/data"
	"github.com/aifactory/platform/components/pipeline"
	"github.com/aifactory/platform/components/scope/scopetest"
)

// The stack lets the deploy role publish the configurations, and the
// business's role deliver the histories, from outside the VPC, through the
// data bucket's service exemptions (data.ServiceAccess), each for its own
// prefix. Evaluated against the bucket policy the data component writes
// with those exemptions: neither role reaches the other's prefix or a
// team's, nobody else reaches either from outside, and the task still reads
// through its access point.
func TestDataBucketExemptsThePipelinesWritersForTheirPrefixOnly(t *testing.T) {
	s := scopetest.Dev()
	bucket := s.BucketARN(s.BucketName(data.DataPurpose))
	deployer := s.RoleARN("aifactory-deploy")
	writer := s.RoleARN("aifactory-dev-sales-history-writer")
	doc := data.BucketPolicy(data.BucketPolicySpec{
		BucketArn: bucket, Account: s.AccountID, EndpointIDs: []string{"vpce-0s3gateway"},
		AccessPointArnPattern: s.TeamAccessPointARN("*"),
		ServiceAccess: []data.ServiceAccess{
			{Prefix: pipeline.ConfigsPrefix, RoleArn: deployer},
			{Prefix: pipeline.DataPrefix, RoleArn: writer},
		},
	})
	outside := map[string]string{"aws:SecureTransport": "true", "s3:TlsVersion": "1.3", "aws:PrincipalIsAWSService": "false"}
	viaAccessPoint := map[string]string{"aws:SecureTransport": "true", "s3:TlsVersion": "1.3", "aws:SourceVpce": "vpce-0s3gateway",
		"s3:DataAccessPointArn": s.ServiceAccessPointARN(pipeline.AccessPointService), "s3:DataAccessPointAccount": s.AccountID,
		"s3:AccessPointNetworkOrigin": "VPC"}
	config := bucket + "/" + pipeline.ConfigsPrefix + "nl.yaml"
	history := bucket + "/" + pipeline.DataPrefix + "nl.csv"
	team := bucket + "/" + s.TeamPrefix("jackpot-analytics") + "sales.parquet"
	tests := []struct {
		name   string
		caller string
		r      request
		want   string
	}{
		{"the deployer publishes a configuration", deployer, request{"s3:PutObject", config, outside}, noOpinion},
		{"the deployer removes a configuration", deployer, request{"s3:DeleteObject", config, outside}, noOpinion},
		{"the deployer writes a history", deployer, request{"s3:PutObject", history, outside}, denied},
		{"the deployer reads a team's data", deployer, request{"s3:GetObject", team, outside}, denied},
		{"the business delivers a history", writer, request{"s3:PutObject", history, outside}, noOpinion},
		{"the business rewrites a configuration", writer, request{"s3:PutObject", config, outside}, denied},
		{"the business reads a team's data", writer, request{"s3:GetObject", team, outside}, denied},
		{"someone else writes a configuration", s.RoleARN("platform-admin"), request{"s3:PutObject", config, outside}, denied},
		{"someone else reads a history", s.RoleARN("platform-admin"), request{"s3:GetObject", history, outside}, denied},
		{"the task reads a history through its access point", s.RoleARN(pipeline.TaskRoleName(s)), request{"s3:GetObject", history, viaAccessPoint}, allowed},
		{"the deployer without TLS", deployer, request{"s3:PutObject", config, map[string]string{"aws:SecureTransport": "false"}}, denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluateResource(t, doc, tt.caller, tt.r))
		})
	}
}
