// Command coredns is CoreDNS with the few plugins the sandbox's node needs
// for cluster DNS (bind, errors, log, cache, kubernetes), built in this
// module the way CoreDNS documents building it with a chosen plugin set:
// its coremain, and the plugins imported here with their order set before
// it runs. CoreDNS's own command imports every plugin, with cloud SDKs
// (route53, azure, clouddns) that would add minutes to a cold build.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
)

// directives is the order in which the plugins see a query, as in CoreDNS's
// own list (core/dnsserver/zdirectives.go) with the others left out.
var directives = []string{"bind", "errors", "log", "cache", "kubernetes"}

func init() { dnsserver.Directives = directives }

func main() { coremain.Run() }
