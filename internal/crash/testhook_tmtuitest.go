//go:build tmtuitest

package crash

import (
	"os"
	"strconv"

	tea "charm.land/bubbletea/v2"
)

// Test builds (go build -tags tmtuitest) can be made to panic, to prove the
// crash handling end to end:
//
//	TMTUI_TEST_PANIC=main    on the main goroutine, just before the program starts
//	TMTUI_TEST_PANIC=update  in Update, when "!" is pressed
//	TMTUI_TEST_PANIC=cmd     in a command, when "!" is pressed
//	TMTUI_TEST_PANIC=view    in View, after "!" is pressed
//
// and write their process id to TMTUI_TEST_PIDFILE, for signal tests.

const testPanicKey = "!"

func testStarted() {
	if path := os.Getenv("TMTUI_TEST_PIDFILE"); path != "" {
		_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
}

func testBeforeProgram() {
	if os.Getenv("TMTUI_TEST_PANIC") == "main" {
		panic("tmtuitest: injected panic on the main goroutine")
	}
}

func testPanicOn(msg tea.Msg) string {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == testPanicKey {
		return os.Getenv("TMTUI_TEST_PANIC")
	}
	return ""
}
