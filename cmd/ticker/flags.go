package main

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"
)

// flagMappers are the kong options that read ticker's flag values: numbers
// that may be negative (-1: no limit) and comma-separated lists.
func flagMappers() []kong.Option {
	builtin := kong.NewRegistry().RegisterDefaults()
	var opts []kong.Option
	for _, typ := range []reflect.Type{reflect.TypeFor[int](), reflect.TypeFor[int64](),
		reflect.TypeFor[float64](), reflect.TypeFor[time.Duration]()} {
		opts = append(opts, kong.TypeMapper(typ, numberMapper{builtin.ForType(typ)}))
	}
	list := reflect.TypeFor[[]string]()
	return append(opts, kong.TypeMapper(list, listMapper{builtin.ForType(list)}))
}

// numberMapper lets a number flag take a negative value as the next word
// (--max-conns -1), which kong alone reads as a short flag; then it decodes
// the value as kong does. Only a word that starts like a negative number is
// taken: a flag with no value still fails.
type numberMapper struct{ kong.Mapper }

func (m numberMapper) Decode(ctx *kong.DecodeContext, target reflect.Value) error {
	if t := ctx.Scan.Peek(); t.Type == kong.UntypedToken && isNegativeNumber(t.String()) {
		ctx.Scan.Pop()
		ctx.Scan.PushTyped(t.Value, kong.FlagValueToken)
	}
	return m.Mapper.Decode(ctx, target)
}

func isNegativeNumber(s string) bool {
	return len(s) > 1 && s[0] == '-' && (s[1] >= '0' && s[1] <= '9' || s[1] == '.')
}

// listMapper decodes a comma-separated list as kong does, but the help shows
// its default as the one quoted value to type ("quotes.>,scores.>"), not as
// kong's quotes.>,scores.>,... which reads like more values than there are
// (and which a shell would take for a redirection).
type listMapper struct{ kong.Mapper }

// PlaceHolder is the flag's value in the help.
func (listMapper) PlaceHolder(f *kong.Flag) string {
	if f.HasDefault {
		return strconv.Quote(f.Default)
	}
	return strings.ToUpper(f.Name)
}
