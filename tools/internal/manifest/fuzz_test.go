package manifest

import "testing"

// FuzzDecode checks that Decode and FieldLine never panic, and that every object Decode returns
// is one a later stage can rely on: apiVersion and kind set, a positive line.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
		"---\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: x}\n",
		"a: &a [*a]\n",
		"apiVersion: v1\nkind: X\nspec: {n: .nan}\n",
		"- 1\n- 2\n",
		"apiVersion: v1\nkind: X\nm: {? [a]: b}\n",
		"apiVersion: v1\nkind: SecretList\nitems: 3\n",
		"\t\x00",
		"apiVersion: v1\nkind: X\n<<: {a: 1}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), "/metadata/name")
	}
	f.Fuzz(func(t *testing.T, data []byte, pointer string) {
		objs, err := Decode("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, o := range objs {
			if o.APIVersion() == "" || o.Kind() == "" || o.Origin.Line <= 0 {
				t.Fatalf("Decode returned %+v", o)
			}
			_ = FieldLine(data, o.Origin.Line, pointer)
			_ = o.ID()
			_ = o.Encrypted()
		}
	})
}
