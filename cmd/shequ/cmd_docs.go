package main

import (
	"shequ/pipeline"

	"context"
	"flag"
	"fmt"
	"path/filepath"
)

func init() {
	register(&command{
		name:    "docs",
		summary: "write a browsable description of every model and policy parameter",
		usage: `Usage: shequ docs [--out DIR]

Writes a static site (index.html, one page per model, policy.html): each
model's description, columns, tests, upstream and downstream models, and
the policy parameters it reads. Open index.html from disk.

Example:
  shequ docs --out out/docs`,
		run: func(ctx context.Context, e *env, args []string) error {
			var dir string
			def := pipeline.Resolve(pipeline.Config{}, nil)
			fs, err := e.parse(lookup("docs"), args, 0, func(fs *flag.FlagSet) {
				fs.StringVar(&dir, "out", filepath.Join(def.Out, "docs"), "write the site to this `dir`")
				modelsFlag(fs, e)
			})
			if err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			p, err := e.pipe().Project()
			if err != nil {
				return err
			}
			if err := p.WriteDocs(dir); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "✓ docs: %d models described in %s\n", len(p.Models()), filepath.Join(dir, "index.html"))
			return nil
		},
	})
}
