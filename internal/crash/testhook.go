//go:build !tmtuitest

package crash

import tea "charm.land/bubbletea/v2"

// Release builds have no way to inject a panic; see testhook_tmtuitest.go.

func testStarted()               {}
func testBeforeProgram()         {}
func testPanicOn(tea.Msg) string { return "" }
