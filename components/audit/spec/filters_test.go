package spec_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/internal/logfilter"
)

// The metric filters are proven by running them (internal/logfilter) on
// CloudTrail records shaped as CloudTrail writes them to CloudWatch Logs:
// every event name a filter lists alarms, and a neighbouring read of the
// same service, or the same call to another service, does not.

// maxPatternLength is the longest filter pattern CloudWatch Logs accepts.
const maxPatternLength = 1024

// record is a CloudTrail management event by an assumed role, with the
// fields in more overriding or adding to the defaults.
func record(t *testing.T, source, name string, more map[string]any) []byte {
	t.Helper()
	r := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type":        "AssumedRole",
			"principalId": "AROAEXAMPLE:session",
			"arn":         "arn:aws:sts::123456789012:assumed-role/platform-admin/session",
			"accountId":   "123456789012",
			"sessionContext": map[string]any{
				"sessionIssuer":   map[string]any{"type": "Role", "arn": "arn:aws:iam::123456789012:role/platform-admin"},
				"attributes":      map[string]any{"creationDate": "2026-12-01T09:00:00Z", "mfaAuthenticated": "false"},
				"webIdFederation": map[string]any{},
			},
		},
		"eventTime":          "2026-12-01T09:30:00Z",
		"eventSource":        source,
		"eventName":          name,
		"awsRegion":          "eu-west-1",
		"sourceIPAddress":    "203.0.113.10",
		"userAgent":          "aws-cli/2.15.0",
		"requestParameters":  map[string]any{},
		"responseElements":   nil,
		"requestID":          "11111111-2222-3333-4444-555555555555",
		"eventID":            "66666666-7777-8888-9999-000000000000",
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": "123456789012",
		"eventCategory":      "Management",
	}
	for k, v := range more {
		r[k] = v
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return b
}

func matches(t *testing.T, p *logfilter.Pattern, rec []byte) bool {
	t.Helper()
	got, err := p.Match(rec)
	require.NoError(t, err)
	return got
}

var (
	eventNames  = regexp.MustCompile(`\$\.eventName=([A-Za-z]+)`)
	eventSource = regexp.MustCompile(`\$\.eventSource=([a-z0-9.]+)`)
)

// services are the event sources of the filters that name no source (the
// CIS patterns match the event name alone).
var services = map[string]string{"iam-policy-changes": "iam.amazonaws.com", "cloudtrail-changes": "cloudtrail.amazonaws.com"}

// neighbours are reads of each filter's service that must not alarm.
var neighbours = map[string][]string{
	"iam-policy-changes":                         {"GetPolicy", "ListAttachedRolePolicies", "GetPolicyVersion"},
	"iam-trust-and-boundary-changes":             {"GetRole", "ListPolicyVersions", "UpdateRoleDescription"},
	"iam-identity-and-credential-creation":       {"ListUsers", "GetUser", "ListAccessKeys", "DeleteAccessKey"},
	"iam-user-tag-changes":                       {"ListUserTags", "TagRole", "UntagRole"},
	"cloudtrail-changes":                         {"DescribeTrails", "GetTrailStatus", "LookupEvents"},
	"cloudtrail-event-selector-changes":          {"GetEventSelectors", "GetTrail"},
	"kms-key-disabled-or-scheduled-for-deletion": {"EnableKey", "CancelKeyDeletion", "Decrypt"},
	"kms-key-policy-changes":                     {"GetKeyPolicy", "ListGrants", "Encrypt"},
	"bucket-policy-changes":                      {"GetBucketPolicy", "GetObject", "PutObject"},
	"config-changes":                             {"DescribeConfigurationRecorders", "StartConfigurationRecorder"},
	"config-recorder-deleted":                    {"DescribeConfigurationRecorderStatus", "DeleteConfigRule"},
}

func TestEveryFilterAlarmsOnItsEventsAndNotOnTheirNeighbours(t *testing.T) {
	for _, e := range spec.Events {
		t.Run(e.Name, func(t *testing.T) {
			assert.LessOrEqual(t, len(e.Pattern), maxPatternLength, "CloudWatch Logs refuses longer patterns")
			p, err := logfilter.Parse(e.Pattern)
			require.NoError(t, err)
			switch e.Name {
			case "root-user-activity", "console-sign-in-without-mfa":
				// Filters on who signed in and how, not on a list of
				// calls: their samples are in TestFiltersOnMoreThanTheEventName.
				return
			}
			names := eventNames.FindAllStringSubmatch(e.Pattern, -1)
			require.NotEmpty(t, names, "a filter on event names")
			source := services[e.Name]
			if m := eventSource.FindStringSubmatch(e.Pattern); m != nil {
				source = m[1]
			}
			require.NotEmpty(t, source, "the service of %s", e.Name)
			for _, n := range names {
				assert.True(t, matches(t, p, record(t, source, n[1], nil)), "%s %s alarms", source, n[1])
				if eventSource.MatchString(e.Pattern) {
					assert.False(t, matches(t, p, record(t, "sts.amazonaws.com", n[1], nil)), "%s of another service does not", n[1])
				}
			}
			require.NotEmpty(t, neighbours[e.Name], "list reads of the service that must not alarm")
			for _, n := range neighbours[e.Name] {
				assert.False(t, matches(t, p, record(t, source, n, nil)), "%s %s does not alarm", source, n)
			}
		})
	}
}

func TestFiltersOnMoreThanTheEventName(t *testing.T) {
	pattern := map[string]*logfilter.Pattern{}
	for _, e := range spec.Events {
		pattern[e.Name] = logfilter.MustParse(e.Pattern)
	}
	root := func(more map[string]any) map[string]any {
		identity := map[string]any{"type": "Root", "principalId": "123456789012", "arn": "arn:aws:iam::123456789012:root", "accountId": "123456789012"}
		for k, v := range more {
			identity[k] = v
		}
		return map[string]any{"userIdentity": identity}
	}
	signIn := func(mfa, outcome string) map[string]any {
		return map[string]any{
			"userIdentity":        map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice", "userName": "alice"},
			"eventType":           "AwsConsoleSignIn",
			"additionalEventData": map[string]any{"MFAUsed": mfa, "MobileVersion": "No", "LoginTo": "https://console.aws.amazon.com/"},
			"responseElements":    map[string]any{"ConsoleLogin": outcome},
		}
	}
	for _, tc := range []struct {
		filter, what string
		source, name string
		more         map[string]any
		want         bool
	}{
		{"root-user-activity", "the root user calls an API", "iam.amazonaws.com", "CreateUser", root(nil), true},
		{"root-user-activity", "the root user signs in", "signin.amazonaws.com", "ConsoleLogin", root(nil), true},
		{"root-user-activity", "a service acting for the root user", "s3.amazonaws.com", "PutObject", root(map[string]any{"invokedBy": "cloudtrail.amazonaws.com"}), false},
		{"root-user-activity", "an AWS service event", "kms.amazonaws.com", "RotateKey", map[string]any{
			"userIdentity": map[string]any{"type": "Root", "accountId": "123456789012"}, "eventType": "AwsServiceEvent"}, false},
		{"root-user-activity", "an assumed role", "iam.amazonaws.com", "CreateUser", nil, false},
		{"console-sign-in-without-mfa", "a user signs in without MFA", "signin.amazonaws.com", "ConsoleLogin", signIn("No", "Success"), true},
		{"console-sign-in-without-mfa", "a user signs in with MFA", "signin.amazonaws.com", "ConsoleLogin", signIn("Yes", "Success"), false},
		{"console-sign-in-without-mfa", "a failed sign-in", "signin.amazonaws.com", "ConsoleLogin", signIn("No", "Failure"), false},
		{"console-sign-in-without-mfa", "a federated sign-in", "signin.amazonaws.com", "ConsoleLogin", map[string]any{
			"userIdentity":        map[string]any{"type": "AssumedRole"},
			"additionalEventData": map[string]any{"MFAUsed": "No"}, "responseElements": map[string]any{"ConsoleLogin": "Success"}}, false},
		{"kms-key-policy-changes", "a grant created directly", "kms.amazonaws.com", "CreateGrant", nil, true},
		{"kms-key-policy-changes", "a grant an AWS service creates", "kms.amazonaws.com", "CreateGrant", map[string]any{
			"userIdentity": map[string]any{"type": "AssumedRole", "invokedBy": "ecs.amazonaws.com"}}, false},
	} {
		t.Run(tc.filter+"/"+tc.what, func(t *testing.T) {
			p := pattern[tc.filter]
			require.NotNil(t, p, tc.filter)
			assert.Equal(t, tc.want, matches(t, p, record(t, tc.source, tc.name, tc.more)))
		})
	}
}

// TestTheSensitiveCallsAuditorsAskAboutAllAlarm: every call below alarms
// under some filter, and under exactly the one meant for it.
func TestTheSensitiveCallsAuditorsAskAboutAllAlarm(t *testing.T) {
	for _, tc := range []struct{ source, name, filter string }{
		{"iam.amazonaws.com", "PutRolePolicy", "iam-policy-changes"},
		{"iam.amazonaws.com", "AttachRolePolicy", "iam-policy-changes"},
		{"iam.amazonaws.com", "CreatePolicyVersion", "iam-policy-changes"},
		{"iam.amazonaws.com", "UpdateAssumeRolePolicy", "iam-trust-and-boundary-changes"},
		{"iam.amazonaws.com", "SetDefaultPolicyVersion", "iam-trust-and-boundary-changes"},
		{"iam.amazonaws.com", "PutRolePermissionsBoundary", "iam-trust-and-boundary-changes"},
		{"iam.amazonaws.com", "DeleteRolePermissionsBoundary", "iam-trust-and-boundary-changes"},
		{"iam.amazonaws.com", "CreateRole", "iam-identity-and-credential-creation"},
		{"iam.amazonaws.com", "CreateUser", "iam-identity-and-credential-creation"},
		{"iam.amazonaws.com", "CreateAccessKey", "iam-identity-and-credential-creation"},
		{"iam.amazonaws.com", "CreateLoginProfile", "iam-identity-and-credential-creation"},
		{"iam.amazonaws.com", "AddUserToGroup", "iam-identity-and-credential-creation"},
		{"iam.amazonaws.com", "TagUser", "iam-user-tag-changes"},
		{"iam.amazonaws.com", "UntagUser", "iam-user-tag-changes"},
		{"cloudtrail.amazonaws.com", "StopLogging", "cloudtrail-changes"},
		{"cloudtrail.amazonaws.com", "DeleteTrail", "cloudtrail-changes"},
		{"cloudtrail.amazonaws.com", "PutEventSelectors", "cloudtrail-event-selector-changes"},
		{"cloudtrail.amazonaws.com", "PutAdvancedEventSelectors", "cloudtrail-event-selector-changes"},
		{"kms.amazonaws.com", "DisableKey", "kms-key-disabled-or-scheduled-for-deletion"},
		{"kms.amazonaws.com", "ScheduleKeyDeletion", "kms-key-disabled-or-scheduled-for-deletion"},
		{"kms.amazonaws.com", "PutKeyPolicy", "kms-key-policy-changes"},
		{"s3.amazonaws.com", "PutBucketPolicy", "bucket-policy-changes"},
		{"s3.amazonaws.com", "DeleteBucketPolicy", "bucket-policy-changes"},
		{"config.amazonaws.com", "StopConfigurationRecorder", "config-changes"},
		{"config.amazonaws.com", "DeleteDeliveryChannel", "config-changes"},
		{"config.amazonaws.com", "DeleteConfigurationRecorder", "config-recorder-deleted"},
	} {
		rec := record(t, tc.source, tc.name, nil)
		var alarmed []string
		for _, e := range spec.Events {
			if matches(t, logfilter.MustParse(e.Pattern), rec) {
				alarmed = append(alarmed, e.Name)
			}
		}
		assert.Equal(t, []string{tc.filter}, alarmed, "%s %s", tc.source, tc.name)
	}
}
