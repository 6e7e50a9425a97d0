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
	Warn      lipgloss.Style // a state that needs a look, e.g. "within budget", "reconnecting"
	Bad       lipgloss.Style // a failed state's word, e.g. "not connected"
	Muted     lipgloss.Style // secondary text
	Spinner   lipgloss.Style

	// LocalBadge and RemoteBadge mark the context in the header. The badge
	// always carries the word; colour only adds to it.
	LocalBadge  lipgloss.Style
	RemoteBadge lipgloss.Style

	// Pane and FocusedPane frame the four panes. The focused frame differs in
	// its border shape too, so focus reads without colour.
	Pane        lipgloss.Style
	FocusedPane lipgloss.Style
	PaneTitle   lipgloss.Style
	// Selected is the selected row. Rows also carry a marker (see Marker), so
	// the selection shows in a plain terminal.
	Selected    lipgloss.Style
	TableHeader lipgloss.Style

	StatusInfo    lipgloss.Style
	StatusSuccess lipgloss.Style
	StatusError   lipgloss.Style

	Dialog      lipgloss.Style // frame of a dialog
	DialogTitle lipgloss.Style

	ErrorBox   lipgloss.Style // frame around an error that stops the UI
	ErrorTitle lipgloss.Style

	Help help.Styles
}

// Marker prefixes the selected row; Unmarked keeps the other rows aligned.
const (
	Marker   = "› "
	Unmarked = "  "
)

// New returns the colour theme for a dark or a light terminal background.
func New(isDark bool) Styles {
	c := lipgloss.LightDark(isDark)
	accent := c(lipgloss.Color("#5A56E0"), lipgloss.Color("#8B87FF"))
	muted := c(lipgloss.Color("#6C6C6C"), lipgloss.Color("#8A8A8A"))
	red := c(lipgloss.Color("#C4243B"), lipgloss.Color("#FF6B7F"))
	green := c(lipgloss.Color("#17803D"), lipgloss.Color("#5FD787"))
	yellow := c(lipgloss.Color("#946300"), lipgloss.Color("#F5C542"))
	selBg := c(lipgloss.Color("#DCDBFF"), lipgloss.Color("#3A3870"))

	s := Plain()
	s.Brand = s.Brand.Foreground(accent).Bold(true)
	s.Label = s.Label.Foreground(muted)
	s.Value = s.Value.Bold(true)
	s.Separator = s.Separator.Foreground(muted)
	s.Good = s.Good.Foreground(green)
	s.Warn = s.Warn.Foreground(yellow)
	s.Bad = s.Bad.Foreground(red).Bold(true)
	s.Muted = s.Muted.Foreground(muted)
	s.Spinner = s.Spinner.Foreground(accent)
	s.LocalBadge = s.LocalBadge.Foreground(green).Bold(true)
	s.RemoteBadge = s.RemoteBadge.Foreground(red).Bold(true)
	s.Pane = s.Pane.BorderForeground(muted)
	s.FocusedPane = s.FocusedPane.BorderForeground(accent)
	s.PaneTitle = s.PaneTitle.Bold(true)
	s.Selected = s.Selected.Background(selBg).Bold(true)
	s.TableHeader = s.TableHeader.Foreground(muted).Bold(true)
	s.StatusInfo = s.StatusInfo.Foreground(accent)
	s.StatusSuccess = s.StatusSuccess.Foreground(green)
	s.StatusError = s.StatusError.Foreground(red).Bold(true)
	s.Dialog = s.Dialog.BorderForeground(accent)
	s.DialogTitle = s.DialogTitle.Foreground(accent).Bold(true)
	s.ErrorBox = s.ErrorBox.BorderForeground(red)
	s.ErrorTitle = s.ErrorTitle.Foreground(red).Bold(true)
	s.Help = help.DefaultStyles(isDark)
	return s
}

// Plain has no colour and no text attributes, for NO_COLOR, --no-color and
// golden tests. Every state must still read correctly in it, through words,
// glyphs, border shapes and the row marker.
func Plain() Styles {
	n := lipgloss.NewStyle
	return Styles{
		Brand:         n(),
		Label:         n(),
		Value:         n(),
		Separator:     n(),
		Good:          n(),
		Warn:          n(),
		Bad:           n(),
		Muted:         n(),
		Spinner:       n(),
		LocalBadge:    n(),
		RemoteBadge:   n(),
		Pane:          n().Border(lipgloss.RoundedBorder()),
		FocusedPane:   n().Border(lipgloss.DoubleBorder()),
		PaneTitle:     n(),
		Selected:      n(),
		TableHeader:   n(),
		StatusInfo:    n(),
		StatusSuccess: n(),
		StatusError:   n(),
		Dialog:        n().Border(lipgloss.DoubleBorder()).Padding(0, 1),
		DialogTitle:   n(),
		ErrorBox:      n().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		ErrorTitle:    n(),
		Help: help.Styles{
			Ellipsis:       n(),
			ShortKey:       n(),
			ShortDesc:      n(),
			ShortSeparator: n(),
			FullKey:        n(),
			FullDesc:       n(),
			FullSeparator:  n(),
		},
	}
}
