// Package awsio connects the optimiser to AWS: an S3 client behind
// storage.ObjectStore and a Secrets Manager client behind
// cash.SecretFetcher. Credentials and region come from the standard AWS
// chain (in ECS, the task role), so nothing secret is configured here.
package awsio

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aifactory/platform/optimiser/cash"
	"github.com/aifactory/platform/optimiser/storage"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// maxObjectBytes bounds what is read from S3: histories and configs are
// small, and a runaway object must not exhaust the task's memory.
const maxObjectBytes = 256 << 20

// NewObjectStore returns an S3-backed storage.ObjectStore.
func NewObjectStore(ctx context.Context) (storage.ObjectStore, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return ObjectStoreFor(s3.NewFromConfig(cfg)), nil
}

// ObjectStoreFor wraps an S3 client, e.g. one pointed at another endpoint.
func ObjectStoreFor(client *s3.Client) storage.ObjectStore { return &objectStore{client: client} }

type objectStore struct{ client *s3.Client }

func (o *objectStore) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, maxObjectBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxObjectBytes {
		return nil, fmt.Errorf("s3://%s/%s is larger than %d bytes", bucket, key, maxObjectBytes)
	}
	return b, nil
}

func (o *objectStore) Put(ctx context.Context, bucket, key string, data []byte) error {
	_, err := o.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(data),
		ContentType: aws.String("application/json"),
	})
	return err
}

func (o *objectStore) Delete(ctx context.Context, bucket, key string) error {
	_, err := o.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err
}

func (o *objectStore) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(o.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, obj := range page.Contents {
			keys = append(keys, aws.ToString(obj.Key))
		}
	}
	return keys, nil
}

// NewSecretFetcher returns a Secrets Manager-backed cash.SecretFetcher.
func NewSecretFetcher(ctx context.Context) (cash.SecretFetcher, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &secretFetcher{client: secretsmanager.NewFromConfig(cfg)}, nil
}

type secretFetcher struct{ client *secretsmanager.Client }

func (s *secretFetcher) SecretString(ctx context.Context, id string) (string, error) {
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", err
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("secret %s has no string value", id)
	}
	return *out.SecretString, nil
}
