package sales

import "gonum.org/v1/gonum/stat/distuv"

func normalQuantile(q float64) float64 { return distuv.UnitNormal.Quantile(q) }
