package clean

import "shequ/internal/decimal"

// Dec is an exact decimal value Coef × 10^-Scale: {85, 2} is 0.85, {-2146, 0}
// is -2146. It is decimal.Dec, shequ's one decimal type; Decimal returns it
// canonical.
type Dec = decimal.Dec

// DecFromInt returns the integer i as a Dec.
func DecFromInt(i int64) Dec { return decimal.FromInt(i) }
