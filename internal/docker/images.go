package docker

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/client"
)

// Sizes are decimal, as the Docker CLI shows them.
const (
	KB int64 = 1000
	MB       = 1000 * KB
	GB       = 1000 * MB
)

// DefaultBuildBudget is how long a build of one image may take.
const DefaultBuildBudget = 5 * time.Minute

// ImageBudget is the size an image of one repository should keep to.
type ImageBudget struct {
	Repository string // for example "taskmaster-backend"
	Aim        int64  // bytes: at or under this, the image is where it should be; 0 means Max
	Max        int64  // bytes: over this, the image is over budget; 0 means no budget
}

// Budgets are what tmtui measures images and builds against.
type Budgets struct {
	Images []ImageBudget // one per repository tmtui manages, in the order to show them
	Build  time.Duration // how long one build may take
}

// DefaultBudgets are TaskMaster's: backend at most 500 MB (aim 300 MB),
// frontend at most 200 MB (aim 150 MB), a build within five minutes.
func DefaultBudgets() Budgets {
	return Budgets{
		Images: []ImageBudget{
			{Repository: "taskmaster-backend", Aim: 300 * MB, Max: 500 * MB},
			{Repository: "taskmaster-frontend", Aim: 150 * MB, Max: 200 * MB},
		},
		Build: DefaultBuildBudget,
	}
}

// Verdict is how an image's size compares with its budget.
type Verdict int

const (
	NoBudget     Verdict = iota // no budget to compare with
	WithinAim                   // at or under the aim
	WithinBudget                // over the aim, at or under the budget
	OverBudget                  // over the budget
)

func (v Verdict) String() string {
	switch v {
	case WithinAim:
		return "within aim"
	case WithinBudget:
		return "within budget"
	case OverBudget:
		return "over budget"
	}
	return "no budget"
}

// SizeCheck is one image's size against its budget, with the figures.
type SizeCheck struct {
	Verdict Verdict
	Size    int64
	Aim     int64
	Max     int64
}

// Check compares size with the budget.
func (b ImageBudget) Check(size int64) SizeCheck {
	if b.Max <= 0 {
		return SizeCheck{Verdict: NoBudget, Size: size}
	}
	aim := b.Aim
	if aim <= 0 || aim > b.Max {
		aim = b.Max
	}
	c := SizeCheck{Size: size, Aim: aim, Max: b.Max}
	switch {
	case size <= aim:
		c.Verdict = WithinAim
	case size <= b.Max:
		c.Verdict = WithinBudget
	default:
		c.Verdict = OverBudget
	}
	return c
}

// String says it in a line, figures included: "412 MB: within the 500 MB
// budget, 112 MB over the 300 MB aim".
func (c SizeCheck) String() string {
	size := FormatSize(c.Size)
	switch c.Verdict {
	case WithinAim:
		return fmt.Sprintf("%s: within the %s aim (budget %s)", size, FormatSize(c.Aim), FormatSize(c.Max))
	case WithinBudget:
		return fmt.Sprintf("%s: within the %s budget, %s over the %s aim", size, FormatSize(c.Max), FormatSize(c.Size-c.Aim), FormatSize(c.Aim))
	case OverBudget:
		return fmt.Sprintf("%s: over the %s budget by %s (aim %s)", size, FormatSize(c.Max), FormatSize(c.Size-c.Max), FormatSize(c.Aim))
	}
	return size + ": no budget"
}

// Image is one tagged image in the engine.
type Image struct {
	Repository string
	Tag        string
	ID         string
	Size       int64 // bytes
	Created    time.Time
	// Previous is the tag of the image created before this one in the same
	// repository (another image, not another tag of this one); empty for
	// the first. SizeChange is Size minus that image's size.
	Previous   string
	SizeChange int64
	// Check is the size against the repository's budget; its Verdict is
	// NoBudget when the image was listed without one.
	Check SizeCheck
}

// Ref is the image's repository:tag.
func (i Image) Ref() string { return i.Repository + ":" + i.Tag }

// RepositoryImages is what one repository holds, newest image first.
type RepositoryImages struct {
	Budget ImageBudget
	Images []Image
}

// ListImages lists the images of each budgeted repository (see
// DefaultBudgets), each checked against its budget.
func (c *Client) ListImages(ctx context.Context, budgets []ImageBudget) ([]RepositoryImages, error) {
	out := make([]RepositoryImages, 0, len(budgets))
	for _, b := range budgets {
		imgs, err := c.Images(ctx, b.Repository)
		if err != nil {
			return nil, err
		}
		for i := range imgs {
			imgs[i].Check = b.Check(imgs[i].Size)
		}
		out = append(out, RepositoryImages{Budget: b, Images: imgs})
	}
	return out, nil
}

// Images lists the tagged images of one repository (for example
// "taskmaster-backend"), newest first, each with the change in size since
// the image before it.
func (c *Client) Images(ctx context.Context, repository string) ([]Image, error) {
	res, err := c.api.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("reference", repository)})
	if err != nil {
		return nil, c.unreachable(err)
	}
	var out []Image
	for _, s := range res.Items {
		var tags []string
		for _, ref := range s.RepoTags {
			if repo, tag, ok := splitRef(ref); ok && repo == repository {
				tags = append(tags, tag)
			}
		}
		if len(tags) == 0 {
			continue
		}
		// The list gives whole seconds; two builds within one second need
		// the inspected time to come out in the order they were made.
		created := c.createdAt(ctx, s.ID, time.Unix(s.Created, 0))
		for _, tag := range tags {
			out = append(out, Image{Repository: repository, Tag: tag, ID: s.ID, Size: s.Size, Created: created})
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return withSizeChanges(out), nil
}

// createdAt is the image's creation time to the nanosecond, or fallback
// when the engine does not say.
func (c *Client) createdAt(ctx context.Context, id string, fallback time.Time) time.Time {
	res, err := c.api.ImageInspect(ctx, id)
	if err != nil {
		return fallback
	}
	t, err := time.Parse(time.RFC3339Nano, res.Created)
	if err != nil {
		return fallback
	}
	return t
}

// withSizeChanges puts images newest first and gives each the change in size
// since the image created before it. Tags of one image share its place
// and its change.
func withSizeChanges(imgs []Image) []Image {
	sort.SliceStable(imgs, func(a, b int) bool {
		x, y := imgs[a], imgs[b]
		if !x.Created.Equal(y.Created) {
			return x.Created.Before(y.Created)
		}
		if x.ID != y.ID {
			return x.ID < y.ID
		}
		return x.Tag > y.Tag // tags of one image read A to Z once reversed
	})
	for i := range imgs {
		imgs[i].Previous, imgs[i].SizeChange = "", 0
		for j := i - 1; j >= 0; j-- {
			if imgs[j].ID != imgs[i].ID {
				imgs[i].Previous = imgs[j].Tag
				imgs[i].SizeChange = imgs[i].Size - imgs[j].Size
				break
			}
		}
	}
	for a, b := 0, len(imgs)-1; a < b; a, b = a+1, b-1 {
		imgs[a], imgs[b] = imgs[b], imgs[a]
	}
	return imgs
}

// splitRef splits "repo:tag" at the last colon that is not part of a
// registry's host:port.
func splitRef(ref string) (repo, tag string, ok bool) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return "", "", false
	}
	return ref[:i], ref[i+1:], true
}

// FormatSize writes bytes as the Docker CLI does, in decimal units with
// three significant digits: "840 kB", "212 MB", "1.24 GB".
func FormatSize(n int64) string {
	if n < 0 {
		return "-" + FormatSize(-n)
	}
	if n < KB {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"kB", "MB", "GB", "TB"}
	v, u := float64(n)/1000, 0
	for v >= 999.5 && u < len(units)-1 {
		v, u = v/1000, u+1
	}
	prec := 2
	switch {
	case v >= 99.95:
		prec = 0
	case v >= 9.995:
		prec = 1
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + " " + units[u]
}

// FormatSizeChange writes a change in size with its sign: "+12.4 MB",
// "-800 kB", "0 B".
func FormatSizeChange(n int64) string {
	if n > 0 {
		return "+" + FormatSize(n)
	}
	return FormatSize(n)
}
