"""The small-nets world's state: the training race's model, inputs, plan and link, and its
tuning and search."""
