"""rlx_lab: an interactive lab for the 14 RLX optimizers."""
