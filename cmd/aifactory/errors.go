package main

import (
	"errors"
	"fmt"
	"strings"
)

func errText(s string) error { return errors.New(s) }

func errUnexpected(rest []string) error {
	return fmt.Errorf("unexpected arguments %s", strings.Join(rest, " "))
}
