package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	sopsyaml "github.com/getsops/sops/v3/stores/yaml"
	"github.com/getsops/sops/v3/version"
	"sigs.k8s.io/yaml"
)

// TestKey is a throwaway age key pair: the committed SOPS files are encrypted for the platform's
// key, whose private half is never in the repository, so the served copy re-encrypts every Secret
// for this key and the suite gives it to Flux as flux-system/sops-age.
type TestKey struct {
	Identity  string // AGE-SECRET-KEY-1…
	Recipient string // age1…
}

// NewTestKey generates a key pair.
func NewTestKey() (TestKey, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return TestKey{}, err
	}
	return TestKey{Identity: id.String(), Recipient: id.Recipient().String()}, nil
}

// encryptedRegex is what .sops.yaml encrypts: only data and stringData.
const encryptedRegex = "^(data|stringData)$"

// Reencrypt returns a SOPS-encrypted Secret manifest with the same apiVersion, kind, metadata,
// type and keys as the encrypted manifest in, each value replaced by a placeholder, encrypted for
// recipient. The comment lines that lead in are kept. It also returns the plaintext values by key,
// to check what Flux decrypted.
func Reencrypt(in []byte, recipient string) ([]byte, map[string]string, error) {
	header, body := leadingComments(in)
	var doc map[string]any
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return nil, nil, err
	}
	if doc["kind"] != "Secret" {
		return nil, nil, fmt.Errorf("not a Secret (kind %v)", doc["kind"])
	}
	md, _ := doc["metadata"].(map[string]any)
	id := fmt.Sprintf("%v/%v", md["namespace"], md["name"])
	plain := map[string]any{"apiVersion": doc["apiVersion"], "kind": doc["kind"], "metadata": md}
	if t, ok := doc["type"]; ok {
		plain["type"] = t
	}
	values := map[string]string{}
	for _, field := range []string{"stringData", "data"} {
		m, ok := doc[field].(map[string]any)
		if !ok {
			continue
		}
		out := map[string]any{}
		for k := range m {
			v := placeholder(id, k)
			values[k] = v
			if field == "data" {
				out[k] = base64.StdEncoding.EncodeToString([]byte(v))
			} else {
				out[k] = v
			}
		}
		plain[field] = out
	}
	plainYAML, err := yaml.Marshal(plain)
	if err != nil {
		return nil, nil, err
	}
	enc, err := encryptYAML(plainYAML, recipient)
	if err != nil {
		return nil, nil, err
	}
	return append(header, enc...), values, nil
}

// placeholder is the plaintext the suite puts in a Secret's key: valid YAML or JSON where the key's
// name says the value is one, so a consumer that parses it still can.
func placeholder(id, key string) string {
	switch {
	case strings.HasSuffix(key, ".yaml"), strings.HasSuffix(key, ".yml"):
		return fmt.Sprintf("# e2e placeholder for %s %s\n{}\n", id, key)
	case strings.HasSuffix(key, ".json"):
		return fmt.Sprintf(`{"e2ePlaceholder": %q}`, id+" "+key)
	}
	return fmt.Sprintf("e2e-placeholder-%s-%s", strings.ReplaceAll(id, "/", "-"), key)
}

// encryptYAML is `sops --encrypt --age <recipient> --encrypted-regex ^(data|stringData)$`.
func encryptYAML(plain []byte, recipient string) ([]byte, error) {
	store := sopsyaml.NewStore(&config.YAMLStoreConfig{})
	branches, err := store.LoadPlainFile(plain)
	if err != nil {
		return nil, err
	}
	keys, err := sopsage.MasterKeysFromRecipients(recipient)
	if err != nil {
		return nil, err
	}
	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, err
	}
	group := sops.KeyGroup{}
	for _, k := range keys {
		if err := k.Encrypt(dataKey); err != nil {
			return nil, err
		}
		group = append(group, k)
	}
	tree := sops.Tree{
		Branches: branches,
		Metadata: sops.Metadata{
			KeyGroups:      []sops.KeyGroup{group},
			EncryptedRegex: encryptedRegex,
			Version:        version.Version,
		},
	}
	cipher := aes.NewCipher()
	mac, err := tree.Encrypt(dataKey, cipher)
	if err != nil {
		return nil, err
	}
	tree.Metadata.LastModified = time.Now().UTC()
	tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, dataKey, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil {
		return nil, err
	}
	return store.EmitEncryptedFile(tree)
}

// leadingComments splits the comment lines at the top of a YAML file from the rest.
func leadingComments(in []byte) (header, body []byte) {
	rest := in
	for len(rest) > 0 && rest[0] == '#' {
		i := strings.IndexByte(string(rest), '\n')
		if i < 0 {
			i = len(rest) - 1
		}
		rest = rest[i+1:]
	}
	return in[:len(in)-len(rest)], rest
}
