// Package deploy holds the deployment kit tmtui offers the app's repository:
// the two Dockerfiles, their ignore files, the Compose file and .env.example,
// built into the binary so that the setup wizard can write them.
package deploy

import (
	"embed"
	"io/fs"
)

// The dot files need naming one by one (a pattern skips them).
//
//go:embed backend.Dockerfile backend.dockerignore frontend.Dockerfile frontend.dockerignore docker-compose.yml .env.example
var kit embed.FS

// KitFile is one file of the kit and where it goes in the app's repository
// (the table in docs/kubernetes-deployment.md).
type KitFile struct {
	Name string // in this folder, e.g. backend.Dockerfile
	Dest string // slash-separated, relative to the app's root, e.g. backend/Dockerfile
}

// Kit is every file of the kit, in the order to offer them.
var Kit = []KitFile{
	{"backend.Dockerfile", "backend/Dockerfile"},
	{"backend.dockerignore", "backend/.dockerignore"},
	{"frontend.Dockerfile", "frontend/Dockerfile"},
	{"frontend.dockerignore", "frontend/.dockerignore"},
	{"docker-compose.yml", "docker-compose.yml"},
	{".env.example", ".env.example"},
}

// FS is the kit as built into the binary, files named as in this folder.
func FS() fs.FS { return kit }

// Read returns a kit file's content.
func Read(name string) ([]byte, error) { return fs.ReadFile(kit, name) }
