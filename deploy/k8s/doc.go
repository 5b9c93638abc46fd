// Package k8s holds no code: its tests validate the Kubernetes manifests beside it.
package k8s
