package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ControlPlane is etcd and kube-apiserver on 127.0.0.1 with a fresh data directory and
// certificates generated for this run. There is no controller-manager, scheduler or kubelet: the
// apiserver stores and validates objects, which is what applying a tree needs, and no workload
// ever runs (so Flux health checks and Helm waits on workloads could never pass; the tree has
// wait: false).
type ControlPlane struct {
	Dir        string // everything of this run: pki/, etcd/, logs/, kubeconfig
	URL        string // https://127.0.0.1:<port>
	Kubeconfig string
	Config     *rest.Config
	EtcdURL    string
}

const adminToken = "e2e-admin-token"

// StartControlPlane starts etcd and kube-apiserver from bin and waits until the apiserver is ready.
func StartControlPlane(ctx context.Context, procs *Procs, bin, dir string) (*ControlPlane, error) {
	cp := &ControlPlane{Dir: dir}
	pki := filepath.Join(dir, "pki")
	if err := writePKI(pki); err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	client, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	peer, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	cp.EtcdURL = "http://" + client
	err = procs.Start("etcd", filepath.Join(bin, "etcd"), []string{
		"--name=e2e", "--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + cp.EtcdURL, "--advertise-client-urls=" + cp.EtcdURL,
		"--listen-peer-urls=http://" + peer, "--initial-advertise-peer-urls=http://" + peer,
		"--initial-cluster=e2e=http://" + peer, "--initial-cluster-state=new",
		"--unsafe-no-fsync=true", // a throwaway store: durability buys nothing here
	})
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(ctx, procs, http.DefaultClient, cp.EtcdURL+"/health", 30*time.Second); err != nil {
		return nil, fmt.Errorf("etcd: %w", err)
	}

	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	cp.URL = fmt.Sprintf("https://127.0.0.1:%d", port)
	p := func(f string) string { return filepath.Join(pki, f) }
	err = procs.Start("kube-apiserver", filepath.Join(bin, "kube-apiserver"), []string{
		"--etcd-servers=" + cp.EtcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file=" + p("apiserver.crt"), "--tls-private-key-file=" + p("apiserver.key"),
		"--client-ca-file=" + p("ca.crt"),
		"--token-auth-file=" + p("tokens.csv"), "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + p("sa.pub"), "--service-account-signing-key-file=" + p("sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16",
		// the default reconciler would write 127.0.0.1 into the kubernetes Endpoints, which
		// the apiserver itself rejects as a loopback address.
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + filepath.Join(dir, "apiserver-certs"),
	})
	if err != nil {
		return nil, err
	}

	cp.Config = &rest.Config{
		Host:            cp.URL,
		BearerToken:     adminToken,
		TLSClientConfig: rest.TLSClientConfig{CAFile: p("ca.crt")},
		QPS:             200,
		Burst:           400,
	}
	cp.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(cp.Kubeconfig, cp.URL, p("ca.crt")); err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(p("ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	hc := &http.Client{Transport: &bearer{token: adminToken, rt: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
	if err := waitHTTP(ctx, procs, hc, cp.URL+"/readyz", 90*time.Second); err != nil {
		return nil, fmt.Errorf("kube-apiserver: %w", err)
	}
	return cp, nil
}

type bearer struct {
	token string
	rt    http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.rt.RoundTrip(r)
}

// waitHTTP polls url until it answers 200, a process exits, or the timeout passes.
func waitHTTP(ctx context.Context, procs *Procs, c *http.Client, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for {
		if ex := procs.Exited(); ex != "" {
			return fmt.Errorf("waiting for %s: %s", url, ex)
		}
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %s", url, timeout, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func writeKubeconfig(path, server, caFile string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: server, CertificateAuthority: caFile}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: adminToken}
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: "admin"}
	cfg.CurrentContext = "e2e"
	return clientcmd.WriteToFile(*cfg, path)
}

// writePKI writes a CA, the apiserver's serving certificate for 127.0.0.1, the service-account
// signing key and a token file with one system:masters user (the suite and the controllers).
func writePKI(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "e2e-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	srv := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srv, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"ca.crt":        pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		"apiserver.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		"sa.key":        pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)}),
		"sa.pub":        pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPub}),
		"tokens.csv":    []byte(adminToken + ",admin,admin-uid,system:masters\n"),
	}
	srvKeyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		return err
	}
	files["apiserver.key"] = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: srvKeyDER})
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
