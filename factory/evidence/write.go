package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Files of a bundle directory.
const (
	MarkdownFile = "evidence.md"
	JSONFile     = "evidence.json"
	SumsFile     = "SHA256SUMS"
)

// JSON is the bundle for tools, indented, with a final newline.
func (b Bundle) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Files returns the bundle's files by name: the Markdown, the JSON and
// SHA256SUMS over both (in the format sha256sum -c reads).
func (b Bundle) Files() (map[string][]byte, error) {
	js, err := b.JSON()
	if err != nil {
		return nil, err
	}
	md := b.Markdown()
	var sums bytes.Buffer
	for _, f := range []struct {
		name string
		data []byte
	}{{JSONFile, js}, {MarkdownFile, md}} {
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), f.name)
	}
	return map[string][]byte{JSONFile: js, MarkdownFile: md, SumsFile: sums.Bytes()}, nil
}

// Write writes the bundle into dir atomically: the files go into a new
// directory beside it, which then takes dir's place in one rename. A
// reader sees the old bundle or the new one, never a mix, and a failure
// leaves dir as it was.
func Write(dir string, b Bundle) error {
	files, err := b.Files()
	if err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return fmt.Errorf("%s is a file, not a bundle directory; choose another --out", dir)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return fmt.Errorf("writing the bundle: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, name := range []string{JSONFile, MarkdownFile, SumsFile} {
		if err := writeSynced(filepath.Join(tmp, name), files[name]); err != nil {
			return fmt.Errorf("writing the bundle: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// A directory cannot be renamed over a non-empty one: the old bundle
	// moves aside first and goes once the new one is in place.
	var old string
	if _, err := os.Stat(dir); err == nil {
		if old, err = os.MkdirTemp(parent, "."+filepath.Base(dir)+".old-"); err != nil {
			return fmt.Errorf("replacing the bundle: %w", err)
		}
		if err := os.Remove(old); err != nil {
			return err
		}
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replacing the bundle: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return fmt.Errorf("writing the bundle: %w", err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
