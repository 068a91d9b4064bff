"""Make JAX strict in tests so silent broadcasting and dtype promotion surface as errors."""

import jax

jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")
