package subscribe_test

import (
	"math"
	"strings"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

func TestParseJSONOptions(t *testing.T) {
	j := func(s string) []byte { return []byte(s) }
	id7 := codec.IntID(7)
	tok := strings.Repeat("t", subscribe.MaxTokenLen)
	runParse(t, codec.JSON, subscribe.Parser{}, []parseCase{
		{name: "max_rate and delta", frame: j(`{"op":"sub","id":1,"subjects":["quotes.>"],"max_rate":2,"delta":true}`),
			want: subscribe.Op{Kind: subscribe.OpSub, ID: codec.IntID(1), Subjects: []string{"quotes.>"}, MaxRate: 2, Delta: true}},
		{name: "max_rate 0 is unlimited", frame: j(`{"op":"sub","subjects":["a"],"max_rate":0}`), want: sub(noID, "a")},
		{name: "fractional max_rate", frame: j(`{"op":"sub","subjects":["a"],"max_rate":0.25}`),
			want: subscribe.Op{Kind: subscribe.OpSub, Subjects: []string{"a"}, MaxRate: 0.25}},
		{name: "max_rate 1000 in exponent form", frame: j(`{"op":"sub","subjects":["a"],"max_rate":1e3}`),
			want: subscribe.Op{Kind: subscribe.OpSub, Subjects: []string{"a"}, MaxRate: 1000}},
		{name: "delta false", frame: j(`{"op":"sub","subjects":["a"],"delta":false}`), want: sub(noID, "a")},
		{name: "auth", frame: j(`{"op":"auth","id":7,"token":"a.b.c"}`), want: subscribe.Op{Kind: subscribe.OpAuth, ID: id7, Token: "a.b.c"}},
		{name: "auth ignores subjects", frame: j(`{"op":"auth","token":"x","subjects":["a"]}`), want: subscribe.Op{Kind: subscribe.OpAuth, Token: "x"}},
		{name: "8 KiB token", frame: j(`{"op":"auth","token":"` + tok + `"}`), want: subscribe.Op{Kind: subscribe.OpAuth, Token: tok}},

		{name: "max_rate a string", frame: j(`{"op":"sub","id":7,"subjects":["a"],"max_rate":"2"}`), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate null", frame: j(`{"op":"sub","id":7,"subjects":["a"],"max_rate":null}`), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate negative", frame: j(`{"op":"sub","id":7,"subjects":["a"],"max_rate":-1}`), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate above 1000", frame: j(`{"op":"sub","id":7,"subjects":["a"],"max_rate":1000.5}`), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate beyond float64", frame: j(`{"op":"sub","id":7,"subjects":["a"],"max_rate":1e400}`), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate on a ping is checked too", frame: j(`{"op":"ping","id":7,"max_rate":true}`), wantErr: `"max_rate"`, wantID: id7},
		{name: "delta a number", frame: j(`{"op":"sub","id":7,"subjects":["a"],"delta":1}`), wantErr: `"delta"`, wantID: id7},
		{name: "delta a string", frame: j(`{"op":"sub","id":7,"subjects":["a"],"delta":"true"}`), wantErr: `"delta"`, wantID: id7},
		{name: "auth without token", frame: j(`{"op":"auth","id":7}`), wantErr: `"token"`, wantID: id7},
		{name: "auth with an empty token", frame: j(`{"op":"auth","id":7,"token":""}`), wantErr: `"token"`, wantID: id7},
		{name: "token a number", frame: j(`{"op":"auth","id":7,"token":1}`), wantErr: `"token"`, wantID: id7},
		{name: "token over 8 KiB", frame: j(`{"op":"auth","id":7,"token":"` + tok + `x"}`), wantErr: `"token"`, wantID: id7},
		{name: "max_rate twice", frame: j(`{"op":"sub","subjects":["a"],"max_rate":1,"max_rate":2}`), wantErr: `"max_rate" given twice`},
	})
}

func TestParseMsgpackOptions(t *testing.T) {
	type m = map[string]any
	id7 := codec.IntID(7)
	rated := func(r float64) subscribe.Op {
		return subscribe.Op{Kind: subscribe.OpSub, Subjects: []string{"a"}, MaxRate: r}
	}
	runParse(t, codec.Msgpack, subscribe.Parser{}, []parseCase{
		{name: "max_rate and delta", frame: mp(t, m{"op": "sub", "id": 1, "subjects": []string{"quotes.>"}, "max_rate": 2, "delta": true}),
			want: subscribe.Op{Kind: subscribe.OpSub, ID: codec.IntID(1), Subjects: []string{"quotes.>"}, MaxRate: 2, Delta: true}},
		{name: "max_rate uint", frame: mp(t, m{"op": "sub", "subjects": []string{"a"}, "max_rate": uint8(200)}), want: rated(200)},
		{name: "max_rate float32", frame: mp(t, m{"op": "sub", "subjects": []string{"a"}, "max_rate": float32(2.5)}), want: rated(2.5)},
		{name: "max_rate float64", frame: mp(t, m{"op": "sub", "subjects": []string{"a"}, "max_rate": 0.5}), want: rated(0.5)},
		{name: "auth", frame: mp(t, m{"op": "auth", "id": 7, "token": "a.b.c"}), want: subscribe.Op{Kind: subscribe.OpAuth, ID: id7, Token: "a.b.c"}},

		{name: "max_rate a string", frame: mp(t, m{"op": "sub", "id": 7, "subjects": []string{"a"}, "max_rate": "2"}), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate negative", frame: mp(t, m{"op": "sub", "id": 7, "subjects": []string{"a"}, "max_rate": -1}), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate NaN", frame: mp(t, m{"op": "sub", "id": 7, "subjects": []string{"a"}, "max_rate": math.NaN()}), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate +Inf", frame: mp(t, m{"op": "sub", "id": 7, "subjects": []string{"a"}, "max_rate": math.Inf(1)}), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate -Inf", frame: mp(t, m{"op": "sub", "id": 7, "subjects": []string{"a"}, "max_rate": float32(math.Inf(-1))}), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate huge uint", frame: mp(t, m{"op": "sub", "id": 7, "subjects": []string{"a"}, "max_rate": uint64(1) << 63}), wantErr: `"max_rate"`, wantID: id7},
		{name: "max_rate 1001", frame: mp(t, m{"op": "sub", "id": 7, "subjects": []string{"a"}, "max_rate": 1001}), wantErr: `"max_rate"`, wantID: id7},
		{name: "delta an int", frame: mp(t, m{"op": "sub", "id": 7, "subjects": []string{"a"}, "delta": 1}), wantErr: `"delta"`, wantID: id7},
		{name: "token as bin", frame: mp(t, m{"op": "auth", "id": 7, "token": []byte("a.b.c")}), wantErr: `"token"`, wantID: id7},
		{name: "auth without token", frame: mp(t, m{"op": "auth", "id": 7}), wantErr: `"token"`, wantID: id7},
	})
}

func TestPolicyRateIsTheSmallestPositive(t *testing.T) {
	tests := []struct {
		name         string
		client, capR float64
		want         float64
	}{
		{"neither", 0, 0, 0},
		{"client only", 2, 0, 2},
		{"cap only", 0, 5, 5},
		{"client lowers the cap", 2, 5, 2},
		{"client cannot raise the cap", 9, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := subscribe.Policy{MaxRate: tt.capR}
			if got := p.Rate(subscribe.Op{Kind: subscribe.OpSub, MaxRate: tt.client}); got != tt.want {
				t.Errorf("Rate = %v, want %v", got, tt.want)
			}
		})
	}
}
