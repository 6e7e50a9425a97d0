package main

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// fakeAppSecrets are obviously fake values for the Secret the chart reads.
var fakeAppSecrets = map[string]string{
	"database-url":   "postgresql://user:pass@db.invalid/app",
	"openai-api-key": "sk-fake-not-a-key",
	"jwt-secret":     "fake-jwt-secret-fake-jwt-secret-fake-jwt",
}

// createAppSecret makes the Secret the chart reads in ns, with values
// (fakeAppSecrets when nil), as the setup wizard would.
func createAppSecret(t *testing.T, cs kubernetes.Interface, ns string, values map[string]string) {
	t.Helper()
	if values == nil {
		values = fakeAppSecrets
	}
	if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-secret"},
		StringData: values,
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}
