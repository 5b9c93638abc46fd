package fleet

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests on a leaked goroutine: every connection
// runs one.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
