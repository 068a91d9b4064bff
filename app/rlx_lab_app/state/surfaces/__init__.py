"""The surfaces world's state: the race on a 2-D loss surface (its model, inputs, plan and
link), the sweep, the gallery, η tuning and search, and the theory card's state."""
