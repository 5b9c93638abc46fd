package auth

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/MicahParks/jwkset"
)

// readJWKS reads a JSON Web Key Set from path and returns its keys by kid.
// A private key in the set stands for its public key.
func readJWKS(path string) (map[string]verifyKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	jwks, err := set.JWKSlice()
	if err != nil {
		return nil, err
	}
	keys := make(map[string]verifyKey, len(jwks))
	for _, jwk := range jwks {
		m := jwk.Marshal()
		if m.USE == jwkset.UseEnc {
			continue // an encryption key, not ours
		}
		if m.KID == "" {
			return nil, fmt.Errorf("a key (kty %s) has no kid", m.KTY)
		}
		if _, dup := keys[m.KID]; dup {
			return nil, fmt.Errorf("kid %q: twice", m.KID)
		}
		key := jwk.Key()
		if priv, ok := key.(interface{ Public() crypto.PublicKey }); ok {
			key = priv.Public()
		}
		k, err := newVerifyKey(key, m.ALG.String())
		if err != nil {
			return nil, fmt.Errorf("kid %q: %w", m.KID, err)
		}
		keys[m.KID] = k
	}
	if len(keys) == 0 {
		return nil, errors.New("no signature keys in the set")
	}
	return keys, nil
}
