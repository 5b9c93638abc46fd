package main

import (
	"bytes"
	"testing"

	"github.com/alecthomas/kong"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// parse parses args as feedsim's command line, without exiting on errors.
func parse(t *testing.T, args ...string) (*cli, error) {
	t.Helper()
	var c cli
	parser, err := newParser(&c, kong.Exit(func(int) { t.Fatal("kong called exit") }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = parser.Parse(args)
	return &c, err
}

// execute runs args as main runs feedsim's command line: the real parser
// with main's bindings, then the command's Run. It returns what the command
// wrote to its output and the parse or run error.
func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var c cli
	var out bytes.Buffer
	parser, err := newParser(&c, append(bind(t.Context(), &out), kong.Exit(func(int) { t.Fatal("kong called exit") }))...)
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		return "", err
	}
	err = kctx.Run()
	return out.String(), err
}

// TestFlagsHaveEnvAndHelp checks that every flag of every command has a
// FEEDSIM_ environment variable twin and help text.
func TestFlagsHaveEnvAndHelp(t *testing.T) {
	var c cli
	parser, err := newParser(&c)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			if f.Name == "help" {
				continue
			}
			if f.Help == "" {
				t.Errorf("%s --%s has no help", n.Path(), f.Name)
			}
			if len(f.Envs) != 1 || f.Envs[0] != envName(f.Name) {
				t.Errorf("%s --%s has env %v, want %s", n.Path(), f.Name, f.Envs, envName(f.Name))
			}
		}
		for _, child := range n.Children {
			walk(child)
		}
	}
	walk(parser.Model.Node)
}

// envName is the environment twin of a flag: FEEDSIM_ and its name in
// upper case with '_' for '-'.
func envName(flag string) string {
	b := []byte("FEEDSIM_" + flag)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
