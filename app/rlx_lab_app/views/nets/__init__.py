"""The small-nets tab's views: the tab, its controls, plots, sources, browser code, exports and
your points."""
