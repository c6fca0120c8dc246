package kms_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/kms"
)

func TestInvalidArgs(t *testing.T) {
	tests := []struct {
		name string
		edit func(*kms.Args)
		want string
	}{
		{"window too short", func(a *kms.Args) { a.DeletionWindowDays = 3 }, "DeletionWindowDays 3"},
		{"window unset", func(a *kms.Args) { a.DeletionWindowDays = 0 }, "DeletionWindowDays"},
		{"no account", func(a *kms.Args) { a.AccountID = "" }, "AccountID"},
		{"unknown purpose", func(a *kms.Args) { a.Purposes = []kms.Purpose{"backups"} }, `"backups"`},
		{"bad prefix", func(a *kms.Args) { a.Prefix = "Bad Prefix" }, "Prefix"},
		{"no administrator", func(a *kms.Args) { a.Administrators = nil }, "Administrators"},
		{"administrator of another account", func(a *kms.Args) { a.Administrators = []string{"arn:aws:iam::999999999999:role/x"} }, "Administrators"},
		{"user as administrator", func(a *kms.Args) { a.Administrators = []string{"arn:aws:iam::123456789012:user/alice"} }, "Administrators"},
		{"direct user that is not a role", func(a *kms.Args) {
			a.DirectUsers = map[kms.Purpose][]string{kms.Data: {"arn:aws:iam::123456789012:root"}}
		}, "DirectUsers[data]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			m, err := build(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, m.Resources())
		})
	}
}
