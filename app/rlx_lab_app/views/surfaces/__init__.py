"""The surfaces tab's views: the lab (race, sweep, gallery), its plot, legend, sources, linked
plots, controls, theory card, words and pictures."""
