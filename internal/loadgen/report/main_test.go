package report

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests on a leaked goroutine: the progress line
// runs one.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
