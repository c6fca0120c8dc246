package analytics

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SecurityConfiguration is the document of an EMR security configuration,
// as the EMR API reads it. Components build it as a Go value and marshal
// it, so a misspelt key is a compile error rather than a silently ignored
// setting.
type SecurityConfiguration struct {
	EncryptionConfiguration              EncryptionConfiguration               `json:"EncryptionConfiguration"`
	InstanceMetadataServiceConfiguration *InstanceMetadataServiceConfiguration `json:"InstanceMetadataServiceConfiguration,omitempty"`
}

// EncryptionConfiguration switches at-rest and in-transit encryption.
type EncryptionConfiguration struct {
	EnableAtRestEncryption           bool                              `json:"EnableAtRestEncryption"`
	EnableInTransitEncryption        bool                              `json:"EnableInTransitEncryption"`
	AtRestEncryptionConfiguration    *AtRestEncryptionConfiguration    `json:"AtRestEncryptionConfiguration,omitempty"`
	InTransitEncryptionConfiguration *InTransitEncryptionConfiguration `json:"InTransitEncryptionConfiguration,omitempty"`
}

// AtRestEncryptionConfiguration covers EMRFS objects in S3 and the
// instances' local disks.
type AtRestEncryptionConfiguration struct {
	S3EncryptionConfiguration        *S3EncryptionConfiguration        `json:"S3EncryptionConfiguration,omitempty"`
	LocalDiskEncryptionConfiguration *LocalDiskEncryptionConfiguration `json:"LocalDiskEncryptionConfiguration,omitempty"`
}

// S3EncryptionConfiguration is how EMRFS encrypts the objects it writes.
type S3EncryptionConfiguration struct {
	EncryptionMode string `json:"EncryptionMode"`
	AwsKmsKey      string `json:"AwsKmsKey,omitempty"`
}

// LocalDiskEncryptionConfiguration encrypts instance store and EBS volumes.
type LocalDiskEncryptionConfiguration struct {
	EncryptionKeyProviderType string `json:"EncryptionKeyProviderType"`
	AwsKmsKey                 string `json:"AwsKmsKey,omitempty"`
	EnableEbsEncryption       bool   `json:"EnableEbsEncryption"`
}

// InTransitEncryptionConfiguration names the TLS certificates EMR installs
// on every node.
type InTransitEncryptionConfiguration struct {
	TLSCertificateConfiguration TLSCertificateConfiguration `json:"TLSCertificateConfiguration"`
}

// TLSCertificateConfiguration points to a zip of PEM files in S3.
type TLSCertificateConfiguration struct {
	CertificateProviderType string `json:"CertificateProviderType"`
	S3Object                string `json:"S3Object"`
}

// InstanceMetadataServiceConfiguration makes the cluster's instances
// require IMDSv2.
type InstanceMetadataServiceConfiguration struct {
	MinimumInstanceMetadataServiceVersion int `json:"MinimumInstanceMetadataServiceVersion"`
	HttpPutResponseHopLimit               int `json:"HttpPutResponseHopLimit"`
}

// Encryption settings the platform writes.
const (
	S3EncryptionModeSSEKMS = "SSE-KMS"
	KeyProviderAwsKms      = "AwsKms"
	CertificateProviderPEM = "PEM"
)

// SecurityConfigurationDocument returns the platform's EMR security
// configuration:
//
//   - EMRFS writes S3 objects with SSE-KMS under the data key;
//   - local disks (instance store and EBS, root volumes included) are
//     encrypted with the data key;
//   - instances require IMDSv2 with a hop limit of 1, so containers on a node
//     cannot read the node's role credentials;
//   - in transit, when tlsCertificatesS3Object names a zip of PEM files.
//
// EMR has no in-transit mode without a certificate provider: it needs either
// PEM certificates in S3 or a custom provider class in a JAR. The platform
// runs no private CA, so in-transit encryption stays off unless a stack
// supplies certificates. Traffic between nodes never leaves the private
// subnets, and every call to AWS APIs and S3 is HTTPS regardless.
func SecurityConfigurationDocument(dataKeyArn, tlsCertificatesS3Object string) SecurityConfiguration {
	doc := SecurityConfiguration{
		EncryptionConfiguration: EncryptionConfiguration{
			EnableAtRestEncryption: true,
			AtRestEncryptionConfiguration: &AtRestEncryptionConfiguration{
				S3EncryptionConfiguration: &S3EncryptionConfiguration{
					EncryptionMode: S3EncryptionModeSSEKMS,
					AwsKmsKey:      dataKeyArn,
				},
				LocalDiskEncryptionConfiguration: &LocalDiskEncryptionConfiguration{
					EncryptionKeyProviderType: KeyProviderAwsKms,
					AwsKmsKey:                 dataKeyArn,
					EnableEbsEncryption:       true,
				},
			},
		},
		InstanceMetadataServiceConfiguration: &InstanceMetadataServiceConfiguration{
			MinimumInstanceMetadataServiceVersion: 2,
			HttpPutResponseHopLimit:               1,
		},
	}
	if tlsCertificatesS3Object != "" {
		doc.EncryptionConfiguration.EnableInTransitEncryption = true
		doc.EncryptionConfiguration.InTransitEncryptionConfiguration = &InTransitEncryptionConfiguration{
			TLSCertificateConfiguration: TLSCertificateConfiguration{
				CertificateProviderType: CertificateProviderPEM,
				S3Object:                tlsCertificatesS3Object,
			},
		}
	}
	return doc
}

// JSON marshals the security configuration.
func (c SecurityConfiguration) JSON() (string, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("marshalling the EMR security configuration: %w", err)
	}
	return string(b), nil
}

// check refuses documents that would switch a platform guardrail off, so a
// hand-edited value cannot reach EMR.
func (c SecurityConfiguration) check() error {
	enc := c.EncryptionConfiguration
	rest := enc.AtRestEncryptionConfiguration
	var errs []error
	if !enc.EnableAtRestEncryption || rest == nil {
		errs = append(errs, errors.New("at-rest encryption must be on"))
	} else {
		if s3 := rest.S3EncryptionConfiguration; s3 == nil || s3.EncryptionMode != S3EncryptionModeSSEKMS || !strings.HasPrefix(s3.AwsKmsKey, "arn:") {
			errs = append(errs, errors.New("S3 encryption must be SSE-KMS with a customer-managed key ARN"))
		}
		if disk := rest.LocalDiskEncryptionConfiguration; disk == nil || disk.EncryptionKeyProviderType != KeyProviderAwsKms ||
			!strings.HasPrefix(disk.AwsKmsKey, "arn:") || !disk.EnableEbsEncryption {
			errs = append(errs, errors.New("local disk encryption must use a KMS key ARN and cover EBS volumes"))
		}
	}
	if enc.EnableInTransitEncryption != (enc.InTransitEncryptionConfiguration != nil) {
		errs = append(errs, errors.New("in-transit encryption needs exactly one certificate configuration when enabled, and none otherwise"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("EMR security configuration: %w", err)
	}
	return nil
}

// ParseSecurityConfiguration reads a security configuration document.
func ParseSecurityConfiguration(s string) (SecurityConfiguration, error) {
	var c SecurityConfiguration
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return SecurityConfiguration{}, fmt.Errorf("parsing the EMR security configuration: %w", err)
	}
	return c, nil
}
