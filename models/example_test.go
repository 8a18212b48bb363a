package models_test

import (
	"fmt"

	"shequ/models"
)

// Choosing models and seeing what a build of them would run, without a
// database.
func ExampleMaterialize() {
	p, err := models.LoadEmbedded()
	if err != nil {
		fmt.Println(err)
		return
	}
	sel, err := p.Select("+coverage")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range sel {
		mz, _ := models.Materialize(m)
		fmt.Printf("%-30s %-5s %d statements, reads %v\n", m.Name, m.Materialized, len(mz.Statements), m.Upstream)
	}
	// Output:
	// staging.communities            view  1 statements, reads []
	// staging.params                 view  1 statements, reads []
	// staging.project_communities    view  1 statements, reads []
	// staging.projects               view  1 statements, reads []
	// intermediate.community_years   table 1 statements, reads [staging.communities staging.params staging.project_communities staging.projects]
	// marts.coverage                 table 1 statements, reads [intermediate.community_years staging.params]
}
