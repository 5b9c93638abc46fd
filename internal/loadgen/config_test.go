package loadgen

import (
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/fleet"
)

// TestTheFleetGetsEveryFieldOfTheConfigItNeeds fills every field of a Config
// that fleet.Config also has, and checks that fleetConfig hands each one on:
// a field added to fleet.Config and not to the mapping fails here.
func TestTheFleetGetsEveryFieldOfTheConfigItNeeds(t *testing.T) {
	values := map[reflect.Type]any{
		reflect.TypeFor[[]string]():      []string{"ws://127.0.0.1:1/ws"},
		reflect.TypeFor[codec.Kind]():    codec.Msgpack,
		reflect.TypeFor[string]():        "quotes.X",
		reflect.TypeFor[int]():           7,
		reflect.TypeFor[float64]():       12.5,
		reflect.TypeFor[[]net.IP]():      []net.IP{net.IPv4(127, 0, 0, 2)},
		reflect.TypeFor[time.Duration](): 3 * time.Second,
		reflect.TypeFor[bool]():          true,
	}
	var cfg Config
	want := reflect.ValueOf(&fleet.Config{}).Elem()
	for i := range want.NumField() {
		name := want.Type().Field(i).Name
		src := reflect.ValueOf(&cfg).Elem().FieldByName(name)
		if !src.IsValid() {
			t.Errorf("fleet.Config.%s has no field of that name in Config", name)
			continue
		}
		v, ok := values[src.Type()]
		if !ok {
			t.Fatalf("no test value for Config.%s of type %s", name, src.Type())
		}
		src.Set(reflect.ValueOf(v))
		want.Field(i).Set(reflect.ValueOf(v))
	}
	if got := cfg.fleetConfig(); !reflect.DeepEqual(got, want.Interface()) {
		t.Errorf("fleetConfig = %+v, want %+v", got, want.Interface())
	}
}
