package main

import (
	"context"
	"flag"
	"fmt"

	"shequ/etl/template"
)

func init() {
	register(&command{
		name:    "template",
		summary: "write the blank submission workbook districts fill in",
		usage: `Usage: shequ template [--kind KIND] [--out FILE]

Writes the standard submission workbook: an instructions sheet, then one
sheet per kind with the Chinese headers, a note on every column, drop-down
lists for options and yes/no columns, and date, number and text formats.
It is made from the same column dictionary that reads the submissions.

Kinds: communities 社区名册, projects 服务项目, staff 人员名册,
expenditures 经费支出, activities 服务记录, evaluations 评估结果,
facilities 功能室.

Example:
  shequ template --kind staff --out 人员名册模板.xlsx`,
		run: func(ctx context.Context, e *env, args []string) error {
			var kind, out string
			fs, err := e.parse(lookup("template"), args, 0, func(fs *flag.FlagSet) {
				fs.StringVar(&kind, "kind", "", "only this `kind` (English or Chinese name)")
				fs.StringVar(&out, "out", "社区服务报送模板.xlsx", "write the workbook to this `file`")
			})
			if err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			kinds, err := template.Select(kind)
			if err != nil {
				return usageErr(err)
			}
			if err := template.WriteFile(out, kinds); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "✓ template: %d kinds written to %s\n", len(kinds), out)
			return nil
		},
	})
}
