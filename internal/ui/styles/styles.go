// Package styles holds every colour and border tmtui draws with, so that a
// theme change or a plain terminal is one decision, not a hunt through views.
package styles

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is the whole look of the UI. Views never build their own colours.
type Styles struct {
	Brand     lipgloss.Style // the "tmtui" mark in the header
	Label     lipgloss.Style // "context", "namespace", … before a value
	Value     lipgloss.Style // the value after a label
	Separator lipgloss.Style // between header fields
	Good      lipgloss.Style // a healthy state's word, e.g. "connected"
	Bad       lipgloss.Style // a failed state's word, e.g. "not connected"
	Muted     lipgloss.Style // secondary text
	Spinner   lipgloss.Style

	ErrorBox   lipgloss.Style // frame around an error that stops the UI
	ErrorTitle lipgloss.Style

	Help help.Styles
}

// New returns the colour theme for a dark or a light terminal background.
func New(isDark bool) Styles {
	c := lipgloss.LightDark(isDark)
	accent := c(lipgloss.Color("#5A56E0"), lipgloss.Color("#8B87FF"))
	muted := c(lipgloss.Color("#6C6C6C"), lipgloss.Color("#8A8A8A"))
	red := c(lipgloss.Color("#C4243B"), lipgloss.Color("#FF6B7F"))
	green := c(lipgloss.Color("#17803D"), lipgloss.Color("#5FD787"))

	s := Plain()
	s.Brand = s.Brand.Foreground(accent).Bold(true)
	s.Label = s.Label.Foreground(muted)
	s.Value = s.Value.Bold(true)
	s.Separator = s.Separator.Foreground(muted)
	s.Good = s.Good.Foreground(green)
	s.Bad = s.Bad.Foreground(red).Bold(true)
	s.Muted = s.Muted.Foreground(muted)
	s.Spinner = s.Spinner.Foreground(accent)
	s.ErrorBox = s.ErrorBox.BorderForeground(red)
	s.ErrorTitle = s.ErrorTitle.Foreground(red).Bold(true)
	s.Help = help.DefaultStyles(isDark)
	return s
}

// Plain has no colour and no text attributes, for NO_COLOR, --no-color and
// golden tests. Every state must still read correctly in it, through words.
func Plain() Styles {
	return Styles{
		Brand:      lipgloss.NewStyle(),
		Label:      lipgloss.NewStyle(),
		Value:      lipgloss.NewStyle(),
		Separator:  lipgloss.NewStyle(),
		Good:       lipgloss.NewStyle(),
		Bad:        lipgloss.NewStyle(),
		Muted:      lipgloss.NewStyle(),
		Spinner:    lipgloss.NewStyle(),
		ErrorBox:   lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		ErrorTitle: lipgloss.NewStyle(),
		Help: help.Styles{
			Ellipsis:       lipgloss.NewStyle(),
			ShortKey:       lipgloss.NewStyle(),
			ShortDesc:      lipgloss.NewStyle(),
			ShortSeparator: lipgloss.NewStyle(),
			FullKey:        lipgloss.NewStyle(),
			FullDesc:       lipgloss.NewStyle(),
			FullSeparator:  lipgloss.NewStyle(),
		},
	}
}
