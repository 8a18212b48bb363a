package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3").
var version = "dev"

func init() {
	register(&command{
		name:    "version",
		summary: "print the version of shequ and of its DuckDB",
		usage:   "Usage: shequ version\n\nExample:\n  shequ version",
		run: func(ctx context.Context, e *env, args []string) error {
			fs, err := e.parse(lookup("version"), args, 0, nil)
			if err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			v := version
			duck := ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
					v = bi.Main.Version
				}
				for _, d := range bi.Deps {
					if d.Path == "github.com/duckdb/duckdb-go/v2" {
						duck = d.Version
					}
				}
			}
			fmt.Fprintf(e.stdout, "shequ %s (%s, %s/%s, duckdb-go %s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH, duck)
			return nil
		},
	})
}
