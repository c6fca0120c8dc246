package awsio_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/aifactory/platform/optimiser/awsio"
	"github.com/aifactory/platform/optimiser/awsio/s3fake"
	"github.com/aifactory/platform/optimiser/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The S3 object store and the all-or-nothing sink against a server that
// speaks the S3 protocol.
func TestObjectStoreSpeaksS3(t *testing.T) {
	srv := s3fake.Start(t, "lottery")
	store := awsio.ObjectStoreFor(srv.Client)
	ctx := context.Background()

	require.NoError(t, store.Put(ctx, "lottery", "pipeline/configs/nl.yaml", []byte("nl")))
	require.NoError(t, store.Put(ctx, "lottery", "pipeline/configs/gb.yaml", []byte("gb")))
	require.NoError(t, store.Put(ctx, "lottery", "pipeline/configs/archive/old.yaml", []byte("old")))
	b, err := store.Get(ctx, "lottery", "pipeline/configs/nl.yaml")
	require.NoError(t, err)
	assert.Equal(t, "nl", string(b))

	keys, err := store.List(ctx, "lottery", "pipeline/configs/")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"pipeline/configs/nl.yaml", "pipeline/configs/gb.yaml"}, keys, "one level only, as with a / delimiter")

	_, err = store.Get(ctx, "lottery", "pipeline/configs/missing.yaml")
	assert.ErrorContains(t, err, "NoSuchKey")
	require.NoError(t, store.Delete(ctx, "lottery", "pipeline/configs/gb.yaml"))
	keys, err = store.List(ctx, "lottery", "pipeline/configs/")
	require.NoError(t, err)
	assert.Equal(t, []string{"pipeline/configs/nl.yaml"}, keys)
}

func TestListPagesThroughLargePrefixes(t *testing.T) {
	srv := s3fake.Start(t, "lottery")
	store := awsio.ObjectStoreFor(srv.Client)
	ctx := context.Background()
	for i := range 1005 {
		require.NoError(t, store.Put(ctx, "lottery", "many/"+string(rune('a'+i%26))+"/"+strconv.Itoa(i), []byte{1}))
	}
	require.NoError(t, store.Put(ctx, "lottery", "many/top.json", []byte{1}))
	keys, err := store.List(ctx, "lottery", "many/")
	require.NoError(t, err)
	assert.Equal(t, []string{"many/top.json"}, keys)
}

func TestSinkOverS3WritesAllOrNothing(t *testing.T) {
	srv := s3fake.Start(t, "lottery")
	r := &storage.Resolver{S3: func(context.Context) (storage.ObjectStore, error) { return awsio.ObjectStoreFor(srv.Client), nil }}
	ctx := context.Background()
	set := func(tag string) []storage.File {
		return []storage.File{
			{Name: "NL/recommendation.json", Data: []byte(tag + " recommendation")},
			{Name: "NL/metadata.json", Data: []byte(tag + " metadata")},
		}
	}
	sink, err := r.OpenSink(ctx, "s3://lottery/pipeline/outputs/run-1")
	require.NoError(t, err)
	require.NoError(t, sink.WriteAll(ctx, set("last week")))

	t.Run("a refused metadata.json restores last week's recommendation", func(t *testing.T) {
		srv.FailPuts(func(_, key string) bool { return key == "pipeline/outputs/run-1/NL/metadata.json" })
		defer srv.FailPuts(nil)
		err := sink.WriteAll(ctx, set("this week"))
		require.ErrorContains(t, err, "AccessDenied")
		var undo *storage.UndoError
		assert.False(t, errors.As(err, &undo))
		objs := srv.Objects(t, "lottery", "pipeline/outputs/run-1/")
		assert.Equal(t, "last week recommendation", string(objs["pipeline/outputs/run-1/NL/recommendation.json"]))
		assert.Equal(t, "last week metadata", string(objs["pipeline/outputs/run-1/NL/metadata.json"]))
	})

	t.Run("a refused write into a new prefix leaves no object", func(t *testing.T) {
		srv.FailPuts(func(_, key string) bool { return key == "pipeline/outputs/run-2/NL/metadata.json" })
		defer srv.FailPuts(nil)
		sink2, err := r.OpenSink(ctx, "s3://lottery/pipeline/outputs/run-2/")
		require.NoError(t, err)
		require.ErrorContains(t, sink2.WriteAll(ctx, set("new")), "AccessDenied")
		assert.Empty(t, srv.Objects(t, "lottery", "pipeline/outputs/run-2/"))
		assert.Contains(t, srv.Puts(), "lottery/pipeline/outputs/run-2/NL/recommendation.json", "the first object was put, then deleted")
	})

	t.Run("a successful overwrite replaces the whole set", func(t *testing.T) {
		require.NoError(t, sink.WriteAll(ctx, set("this week")))
		objs := srv.Objects(t, "lottery", "pipeline/outputs/run-1/")
		assert.Equal(t, []string{"pipeline/outputs/run-1/NL/metadata.json", "pipeline/outputs/run-1/NL/recommendation.json"}, s3fake.Keys(objs))
		assert.Equal(t, "this week metadata", string(objs["pipeline/outputs/run-1/NL/metadata.json"]))
	})
}
