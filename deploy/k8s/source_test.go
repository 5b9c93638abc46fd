package k8s

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"unicode"
)

// repoRoot is the module root, seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

// flag is one kong flag declared on a command struct.
type flag struct {
	name, env, def string
}

// flags reads the kong flags of the struct type typeName in a Go source file
// of this repository: the flag's name (its name tag, else the field name in
// kebab case, as kong does), its environment variable and its default.
func flags(file, typeName string) ([]flag, error) {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoRoot, file), nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var st *ast.StructType
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == typeName {
			st, _ = ts.Type.(*ast.StructType)
		}
		return st == nil
	})
	if st == nil {
		return nil, fmt.Errorf("%s: no struct type %s", file, typeName)
	}
	var out []flag
	for _, field := range st.Fields.List {
		if field.Tag == nil || len(field.Names) != 1 {
			continue
		}
		raw, err := strconv.Unquote(field.Tag.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, field.Names[0].Name, err)
		}
		tag := reflect.StructTag(raw)
		if _, isCmd := tag.Lookup("cmd"); isCmd {
			continue
		}
		name := tag.Get("name")
		if name == "" {
			name = kebab(field.Names[0].Name)
		}
		out = append(out, flag{name: name, env: tag.Get("env"), def: tag.Get("default")})
		if _, ok := tag.Lookup("negatable"); ok {
			out = append(out, flag{name: "no-" + name})
		}
	}
	return out, nil
}

// kebab turns a Go field name into a flag name: ReconnectWait, reconnect-wait.
func kebab(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// natsConf is the part of a nats.conf file these tests read: its settings by
// dotted path (cluster.port) and its lists (cluster.routes).
type natsConf struct {
	values map[string]string
	lists  map[string][]string
}

// parseNATSConf reads the subset of the NATS configuration format that
// base/nats.conf uses: "key: value" lines, "key {" blocks and "key: [" lists
// with one item a line, and # comments. It fails on anything else, so that
// a change to the file that this reader would misread is noticed.
func parseNATSConf(text string) (natsConf, error) {
	conf := natsConf{values: map[string]string{}, lists: map[string][]string{}}
	var path []string
	list := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		key := strings.Join(path, ".")
		switch {
		case line == "":
		case list != "":
			if line == "]" {
				list = ""
			} else {
				conf.lists[list] = append(conf.lists[list], line)
			}
		case line == "}":
			if len(path) == 0 {
				return conf, fmt.Errorf("line %d: } closes no block", n)
			}
			path = path[:len(path)-1]
		case strings.HasSuffix(line, "{"):
			path = append(path, strings.TrimSpace(strings.TrimSuffix(line, "{")))
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return conf, fmt.Errorf("line %d: %q is not key: value", n, line)
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if key != "" {
				k = key + "." + k
			}
			if v == "[" {
				list = k
			} else {
				conf.values[k] = v
			}
		}
	}
	if len(path) != 0 || list != "" {
		return conf, fmt.Errorf("unclosed block or list")
	}
	return conf, sc.Err()
}

// dockerfile returns the repository's Dockerfile instructions of the final
// stage, by instruction (USER, EXPOSE, ENTRYPOINT, FROM), and every FROM.
func dockerfile() (final map[string]string, froms []string, err error) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		return nil, nil, err
	}
	// Join continuation lines, then read one instruction a line.
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, args, _ := strings.Cut(line, " ")
		instr = strings.ToUpper(instr)
		if instr == "FROM" {
			froms = append(froms, strings.TrimSpace(args))
			final = map[string]string{}
		}
		if final != nil {
			final[instr] = strings.TrimSpace(args)
		}
	}
	return final, froms, nil
}
