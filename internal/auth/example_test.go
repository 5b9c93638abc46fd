package auth_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

func Example() {
	dir, err := os.MkdirTemp("", "ticker-auth")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// The operator's secret (at least 32 bytes), as --jwt-key would name it.
	secret := []byte("an example secret, 32 bytes or more")
	keyFile := filepath.Join(dir, "jwt.key")
	if err := os.WriteFile(keyFile, secret, 0o600); err != nil {
		panic(err)
	}
	v, err := auth.New(auth.Options{KeyFile: keyFile})
	if err != nil {
		panic(err)
	}

	// The token a login service would mint for a client.
	token, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub":      "alice",
		"exp":      time.Now().Add(time.Hour).Unix(),
		"subjects": []string{"quotes.AAPL", "scores.nba.*", "news.>"},
	}).SignedString(secret)

	r := httptest.NewRequest("GET", "/ws", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	grant, err := v.Verify(r)
	fmt.Println(time.Until(grant.Expires).Round(time.Minute), err)

	// The connection may subscribe where both --allow and the token permit.
	server, _ := subscribe.NewAllow([]string{"quotes.>", "scores.>"})
	allow := grant.Restrict(server)
	for _, p := range []string{"quotes.AAPL", "quotes.MSFT", "scores.nba.g0042", "news.x"} {
		fmt.Println(p, allow.Permits(p))
	}

	_, err = v.Verify(httptest.NewRequest("GET", "/ws?token=forged", nil))
	fmt.Println(auth.Reason(err))

	off, _ := auth.New(auth.Options{})
	fmt.Println(off.Enabled())
	// Output:
	// 1h0m0s <nil>
	// quotes.AAPL true
	// quotes.MSFT false
	// scores.nba.g0042 true
	// news.x false
	// invalid token
	// false
}
