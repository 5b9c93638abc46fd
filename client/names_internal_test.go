package client

import (
	"testing"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// TestThePublicNamesAreTheServers pins the constants this package spells
// out for its users to the ones the gateway uses.
func TestThePublicNamesAreTheServers(t *testing.T) {
	for _, tt := range [][2]string{
		{SubprotocolJSON, codec.SubprotocolJSON},
		{SubprotocolMsgpack, codec.SubprotocolMsgpack},
		{CodeBadRequest, subscribe.CodeBadRequest},
		{CodeBadSubject, subscribe.CodeBadSubject},
		{CodeForbidden, subscribe.CodeForbidden},
		{CodeTooManySubscriptions, subscribe.CodeTooManySubscriptions},
		{CodeRateLimited, subscribe.CodeRateLimited},
		{CodeBadToken, subscribe.CodeBadToken},
	} {
		if tt[0] != tt[1] {
			t.Errorf("the client says %q, the gateway %q", tt[0], tt[1])
		}
	}
	for _, tt := range [][2]int{
		{StatusNormal, int(closecode.Normal)},
		{StatusGoingAway, int(closecode.GoingAway)},
		{StatusAbnormal, int(closecode.Abnormal)},
		{StatusPolicyViolation, int(closecode.PolicyViolation)},
		{StatusMessageTooBig, int(closecode.MessageTooBig)},
		{StatusInternalError, int(closecode.InternalError)},
		{StatusTryAgainLater, int(closecode.TryAgainLater)},
	} {
		if tt[0] != tt[1] {
			t.Errorf("the client says close code %d, the gateway %d", tt[0], tt[1])
		}
	}
	if codec.KindOf(JSON.Subprotocol()) != codec.JSON || codec.KindOf(Msgpack.Subprotocol()) != codec.Msgpack {
		t.Error("the client's subprotocols are not the gateway's")
	}
}
