package k8s

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"regexp"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ErrorKind says which step of connecting failed, so callers can react (offer
// setup, retry) without parsing text.
type ErrorKind string

const (
	KindNoConfig        ErrorKind = "no-config"         // no kubeconfig file exists anywhere kubectl would look
	KindConfigFile      ErrorKind = "config-file"       // a kubeconfig file is missing, unreadable, corrupt or incomplete
	KindContextNotFound ErrorKind = "context-not-found" // the requested or current context does not exist
	KindUnreachable     ErrorKind = "unreachable"       // nothing answers at the server address
	KindTimeout         ErrorKind = "timeout"           // the server did not answer in time
	KindUnauthorized    ErrorKind = "unauthorized"      // the server rejected the credentials (401)
	KindForbidden       ErrorKind = "forbidden"         // the credentials may not read the server version (403)
	KindCertificate     ErrorKind = "certificate"       // the server's certificate cannot be verified
	KindOther           ErrorKind = "other"             // anything else; Err has the details
)

// ConnectError is what Connect returns on failure. Its text is meant for the
// person at the keyboard: what failed, then what to do about it.
type ConnectError struct {
	Kind    ErrorKind
	Context string // kubeconfig context, when known
	Server  string // API server URL, when known
	File    string // the kubeconfig file at fault, when one is
	Reason  string // what failed and why, e.g. "cluster unreachable at https://127.0.0.1:6443"
	Hint    string // what to do next; may be empty
	Err     error  // the underlying cause, for the log file and errors.Is
}

func (e *ConnectError) Error() string {
	if e.Hint == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Hint
}

func (e *ConnectError) Unwrap() error { return e.Err }

const startClusterHint = "is Kubernetes enabled in Docker Desktop? Is the sandbox running (`make sandbox-up`)?"

func noConfigError(looked []string) *ConnectError {
	return &ConnectError{
		Kind:   KindNoConfig,
		Reason: "no Kubernetes configuration found",
		Hint: "enable Kubernetes in Docker Desktop, or run `make demo` to start the local sandbox" +
			fmt.Sprintf(" (looked in %s)", strings.Join(looked, ", ")),
	}
}

// unreadableFileError is for a kubeconfig file that cannot be read at all.
func unreadableFileError(file string, err error) *ConnectError {
	e := &ConnectError{Kind: KindConfigFile, File: file, Err: err}
	if errors.Is(err, fs.ErrNotExist) {
		e.Reason = fmt.Sprintf("kubeconfig %s does not exist", file)
		e.Hint = "check the path given with --kubeconfig or in KUBECONFIG"
		return e
	}
	problem := err.Error()
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		problem = pathErr.Err.Error() // the path is already in the message
	}
	e.Reason = fmt.Sprintf("cannot read kubeconfig %s (%s)", file, problem)
	e.Hint = "check the file's permissions, or point --kubeconfig at another file"
	return e
}

// corruptFileError is for a kubeconfig file that was read but does not parse.
func corruptFileError(file string, err error) *ConnectError {
	return &ConnectError{
		Kind:   KindConfigFile,
		File:   file,
		Reason: fmt.Sprintf("kubeconfig %s is not valid (%s)", file, decodeProblem(err)),
		Hint:   "fix or replace the file, or point --kubeconfig at another one",
		Err:    err,
	}
}

var (
	yamlProblem  = regexp.MustCompile(`yaml: .*`)
	wrongType    = regexp.MustCompile(`Go struct field [^ .]+\.(\S+) of type`)
	notAConfig   = regexp.MustCompile(`no kind "([^"]+)" is registered`)
	noKindOrJSON = regexp.MustCompile(`couldn't get version/kind|json parse error`)
)

// decodeProblem turns client-go's decoding errors, which can quote Go types
// and struct tags, into a phrase about the file itself.
func decodeProblem(err error) string {
	msg := oneLine(err)
	switch {
	case wrongType.MatchString(msg):
		return "field " + wrongType.FindStringSubmatch(msg)[1] + " has the wrong type"
	case notAConfig.MatchString(msg):
		return "it describes a " + notAConfig.FindStringSubmatch(msg)[1] + ", not a kubeconfig"
	case noKindOrJSON.MatchString(msg):
		return "it is not a kubeconfig: expected YAML with apiVersion: v1 and kind: Config"
	case yamlProblem.MatchString(msg):
		return yamlProblem.FindString(msg)
	default:
		return "it does not parse as a kubeconfig"
	}
}

// requestError explains a failed request to the API server in terms of what the
// user can check: is it running, are the credentials current, is it the right cluster.
func requestError(err error, context, server string) *ConnectError {
	e := &ConnectError{Context: context, Server: server, Err: err}
	switch {
	case apierrors.IsUnauthorized(err):
		e.Kind = KindUnauthorized
		e.Reason = fmt.Sprintf("the cluster at %s rejected the credentials of context %q (401 Unauthorized)", server, context)
		e.Hint = "refresh them: reset Kubernetes in Docker Desktop, or restart the sandbox (`make sandbox-up`)"
	case apierrors.IsForbidden(err):
		e.Kind = KindForbidden
		e.Reason = fmt.Sprintf("context %q may not read the server version at %s (403 Forbidden)", context, server)
		e.Hint = "use a context with more rights (--context), or ask the cluster's admin for access"
	case isTimeout(err):
		e.Kind = KindTimeout
		e.Reason = fmt.Sprintf("the cluster at %s did not answer in time", server)
		e.Hint = "it may still be starting: " + startClusterHint
	case isUnreachable(err):
		e.Kind = KindUnreachable
		e.Reason = "cluster unreachable at " + server
		e.Hint = startClusterHint
	case isCertificateError(err):
		e.Kind = KindCertificate
		e.Reason = fmt.Sprintf("cannot verify the certificate of %s (%s)", server, certificateProblem(err))
		e.Hint = "the kubeconfig may be out of date: reset Kubernetes in Docker Desktop, or restart the sandbox (`make sandbox-up`)"
	default:
		e.Kind = KindOther
		e.Reason = fmt.Sprintf("cannot talk to the cluster at %s with context %q: %s", server, context, oneLine(err))
		e.Hint = fmt.Sprintf("check that `kubectl --context %s version` works", context)
	}
	return e
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &netErr) && netErr.Timeout() ||
		apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err)
}

func isUnreachable(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	// A server that accepts and then drops connections is as good as absent,
	// which is what an API server does while it is still starting.
	return errors.As(err, &dnsErr) ||
		errors.As(err, &opErr) && opErr.Op == "dial" ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)
}

func isCertificateError(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

func certificateProblem(err error) string {
	var unknownAuthority x509.UnknownAuthorityError
	if errors.As(err, &unknownAuthority) {
		return "signed by an unknown authority"
	}
	var hostname x509.HostnameError
	if errors.As(err, &hostname) {
		return "issued for another host name"
	}
	return "invalid or expired"
}

// oneLine keeps a multi-line library error from breaking the layout of whoever shows it.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// incompleteContextError is for a context that exists but cannot be turned into
// a client: a missing cluster or user entry, no server URL, unreadable certificates.
func incompleteContextError(context, file, problem string, cause error) *ConnectError {
	return &ConnectError{
		Kind:    KindConfigFile,
		Context: context,
		File:    file,
		Reason:  fmt.Sprintf("context %q in kubeconfig %s is incomplete (%s)", context, file, problem),
		Hint:    "fix the file, or pick another context with --context",
		Err:     cause,
	}
}
