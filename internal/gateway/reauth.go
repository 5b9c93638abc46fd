package gateway

import (
	"slices"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// grantPolicy is the policy of a connection holding a token that grants g:
// the server's, with its Allow narrowed to the grant and its rate capped by
// the grant's.
func grantPolicy(server subscribe.Policy, g auth.Grant) subscribe.Policy {
	p := server
	p.Allow = g.Restrict(server.Allow)
	p.MaxRate = subscribe.MinRate(server.MaxRate, g.MaxRate)
	return p
}

// Replies to an auth op that does not take effect, and to patterns it removes.
const (
	msgNoAuth     = "this gateway does not check tokens"
	msgNotGranted = "not granted by the new token"
)

// reauth applies an auth op: the new token's grant and exp govern from now
// on. Held patterns it no longer allows are revoked first (one revoked
// message naming them), held rates are lowered to its cap, the expiry timer
// moves to its exp, and the op is acked. A token that fails verification
// changes nothing: the client gets bad_token.
func (ss *session) reauth(op subscribe.Op) {
	v := ss.srv.opts.Auth
	if !v.Enabled() {
		ss.reply(&subscribe.Error{Code: subscribe.CodeBadRequest, ID: op.ID, Msg: msgNoAuth})
		return
	}
	g, err := v.VerifyToken(op.Token)
	if err != nil {
		ss.srv.log.Debug("token refresh refused", "remote", ss.conn.ip, "err", err)
		ss.reply(&subscribe.Error{Code: subscribe.CodeBadToken, ID: op.ID, Msg: auth.Reason(err)})
		return
	}
	c := ss.conn
	policy := grantPolicy(ss.srv.opts.Policy, g)
	var drop []string
	for _, p := range ss.sub.Patterns() {
		if !policy.Allow.Permits(p) {
			drop = append(drop, p)
		}
	}
	slices.Sort(drop)
	if removed := ss.sub.Revoke(drop); len(removed) > 0 { // in drop's order
		ss.sub.Send(codec.AppendRevoked(ss.k, nil, op.ID, removed, subscribe.CodeForbidden, msgNotGranted))
	}
	ss.sub.CapRate(policy.MaxRate)
	c.moveExpiry(g.Expires)
	c.policy = policy
	ss.sub.Send(codec.AppendAck(ss.k, nil, op.ID))
}
