package closecode_test

import (
	"testing"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/closecode"
)

func TestCodesAreTheWebSocketLibrarysCodes(t *testing.T) {
	for _, tc := range []struct {
		ours   closecode.Code
		theirs websocket.StatusCode
	}{
		{closecode.Normal, websocket.StatusNormalClosure},
		{closecode.GoingAway, websocket.StatusGoingAway},
		{closecode.ProtocolError, websocket.StatusProtocolError},
		{closecode.Abnormal, websocket.StatusAbnormalClosure},
		{closecode.PolicyViolation, websocket.StatusPolicyViolation},
		{closecode.MessageTooBig, websocket.StatusMessageTooBig},
		{closecode.InternalError, websocket.StatusInternalError},
		{closecode.TryAgainLater, websocket.StatusTryAgainLater},
	} {
		if int(tc.ours) != int(tc.theirs) {
			t.Errorf("%s is %d in coder/websocket", tc.ours, tc.theirs)
		}
	}
}

func TestStringIsTheDecimalCode(t *testing.T) {
	if got := closecode.PolicyViolation.String(); got != "1008" {
		t.Errorf("String() = %q, want 1008", got)
	}
}
