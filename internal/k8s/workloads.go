package k8s

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// RestartedAtAnnotation is the pod template annotation `kubectl rollout
// restart` sets; changing it rolls the pods.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// RestartDeployment rolls a deployment's pods as `kubectl rollout restart`
// does: a new restartedAt annotation on the pod template makes a new
// ReplicaSet, which replaces the pods by the deployment's own strategy.
func (c *Client) RestartDeployment(ctx context.Context, approval Approval, namespace, name string) error {
	if err := c.verifyApproval(approval); err != nil {
		return err
	}
	namespace = cmp.Or(namespace, c.info.Namespace, DefaultNamespace)
	if _, err := c.restartDeployments(ctx, namespace, []string{name}); err != nil {
		return err
	}
	slog.Info("restarted deployment", "namespace", namespace, "deployment", name)
	return nil
}

// restartDeployments stamps each deployment's pod template with one
// restartedAt time and returns those it restarted, stopping at the first
// failure. Callers verify the approval.
func (c *Client) restartDeployments(ctx context.Context, namespace string, names []string) ([]string, error) {
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{RestartedAtAnnotation: time.Now().Format(time.RFC3339)},
	}}}})
	if err != nil {
		return nil, err
	}
	var restarted []string
	for _, name := range names {
		_, err := c.clientset.AppsV1().Deployments(namespace).Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager})
		if err != nil {
			if apierrors.IsNotFound(err) {
				return restarted, fmt.Errorf("restarting deployment %s: there is no such deployment in namespace %s", name, namespace)
			}
			return restarted, fmt.Errorf("restarting deployment %s in namespace %s: %w", name, namespace, err)
		}
		restarted = append(restarted, name)
	}
	return restarted, nil
}

// DeletePod deletes one pod, with its grace period. A pod of a deployment
// is replaced by a new one; deleting is how to get a fresh pod without
// restarting the others.
func (c *Client) DeletePod(ctx context.Context, approval Approval, namespace, name string) error {
	if err := c.verifyApproval(approval); err != nil {
		return err
	}
	namespace = cmp.Or(namespace, c.info.Namespace, DefaultNamespace)
	err := c.clientset.CoreV1().Pods(namespace).Delete(ctx, name, metav1.DeleteOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("deleting pod %s: it is no longer in namespace %s (already deleted or replaced)", name, namespace)
	case err != nil:
		return fmt.Errorf("deleting pod %s in namespace %s: %w", name, namespace, err)
	}
	slog.Info("deleted pod", "namespace", namespace, "pod", name)
	return nil
}
