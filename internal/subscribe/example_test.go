package subscribe_test

import (
	"fmt"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

func ExampleMatch() {
	fmt.Println(subscribe.Match("quotes.*", "quotes.AAPL"))
	fmt.Println(subscribe.Match("scores.>", "scores.nba.g0042"))
	fmt.Println(subscribe.Match("quotes.>", "quotes"))
	fmt.Println(subscribe.Match("quotes.*", "quotes.AAPL.x"))
	// Output:
	// true
	// true
	// false
	// false
}

func ExampleParser_Parse() {
	var p subscribe.Parser
	op, err := p.Parse(codec.JSON, []byte(`{"op":"sub","id":1,"subjects":["quotes.AAPL","scores.nba.*"]}`))
	fmt.Println(op.Kind, op.ID, op.Subjects, err == nil)

	_, err = p.Parse(codec.JSON, []byte(`{"op":"bogus","id":5}`))
	fmt.Println(err.Code, err.ID, err.Msg)

	allow, _ := subscribe.NewAllow([]string{"quotes.>", "scores.>"})
	policy := subscribe.Policy{Allow: allow}
	op, _ = p.Parse(codec.JSON, []byte(`{"op":"sub","id":"s1","subjects":["quotes.AAPL","orders.X"]}`))
	fmt.Println(policy.CheckSub(op, nil, 0))
	// Output:
	// sub 1 [quotes.AAPL scores.nba.*] true
	// bad_request 5 unknown op "bogus"
	// forbidden: subject "orders.X": not allowed
}

func ExampleAllow_Permits() {
	allow, err := subscribe.NewAllow([]string{"quotes.>", "scores.>"})
	if err != nil {
		panic(err)
	}
	for _, p := range []string{"quotes.AAPL", "quotes.*", "scores.nba.*", "quotes", ">", "*.AAPL"} {
		fmt.Println(p, allow.Permits(p))
	}
	// Output:
	// quotes.AAPL true
	// quotes.* true
	// scores.nba.* true
	// quotes false
	// > false
	// *.AAPL false
}

func ExamplePolicy_Rate() {
	var p subscribe.Parser
	policy := subscribe.Policy{MaxRate: 5} // the server's cap
	for _, frame := range []string{
		`{"op":"sub","subjects":["quotes.>"]}`,
		`{"op":"sub","subjects":["quotes.>"],"max_rate":2}`,
		`{"op":"sub","subjects":["quotes.>"],"max_rate":50}`,
		`{"op":"sub","subjects":["quotes.>"],"max_rate":"fast"}`,
	} {
		op, err := p.Parse(codec.JSON, []byte(frame))
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(policy.Rate(op))
	}
	// Output:
	// 5
	// 2
	// 5
	// bad_request: "max_rate" must be a number
}
