// Command etcd is etcd's server built from this module, because `go install`
// of etcd itself is refused for its replace directives.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
