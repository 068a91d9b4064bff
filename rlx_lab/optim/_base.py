"""The :class:`Optimizer` every rule module builds, and the one-iteration protocol it runs.

An optimizer module supplies two pure per-tensor functions,

* ``init_tensor(param) -> TensorState`` and
* ``update_tensor(param, grad, tensor_state, hp, ctx) -> (descent, new_tensor_state)``, where
  the new value of the tensor is ``param − descent``,

and :class:`Optimizer` lifts them to a whole iteration over a pytree of tensors: every tensor
sees the same 1-based counter ``t``, then the counter advances (RLX's ``end_iteration``).
Hyperparameters are a dict of JAX arrays, so changing a value reuses the compiled step.

The protocol's types live in :mod:`._protocol` and the per-tensor learning-rate multipliers in
:mod:`._lr_scale`; ``StepContext`` is imported from here by every rule module.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._hparams import HParam, HParamsDict, encode_hparams
from ._lr_scale import lr_scales
from ._protocol import (
    ClipTensor,
    GradientTransformation,
    HessianTensor,
    InitTensor,
    OptState,
    PyTree,
    StepContext,
    UpdateTensor,
)


@dataclass(frozen=True)
class Optimizer:
    """One RLX optimizer: metadata for the lab plus the pure functions that run it.

    ``step`` and ``update_hessian`` are jitted; hyperparameters are traced, so a jitted step
    compiles once per (optimizer, tensor shapes) whatever values they take.
    """

    name: str
    title: str
    spec: tuple[HParam, ...]
    init_tensor: InitTensor
    update_tensor: UpdateTensor
    summary: str
    rule_latex: str
    departures: str = ""
    hessian_tensor: HessianTensor | None = None
    clip_tensor: ClipTensor | None = None
    random: bool = False
    """Whether ``update_tensor`` reads ``ctx.key`` (Kron-PSGD's random probe)."""
    net_defaults: Mapping[str, Any] = field(default_factory=dict, compare=False)
    """Lab defaults for the small-nets world where they differ from RLX's (tuned on two moons,
    MLP 2-32-32-2, batch 64, 300 steps); the reason is beside each in the module."""

    def __post_init__(self) -> None:
        encode_hparams(self.spec, self.net_defaults)  # a bad table fails at import
        object.__setattr__(self, "net_defaults", MappingProxyType(dict(self.net_defaults)))

    # --- hyperparameters -------------------------------------------------------------------

    def defaults(self, world: str = "surfaces") -> dict[str, Any]:
        """Every hyperparameter's default as a plain Python value.

        ``world="nets"`` applies the small-nets lab defaults (:attr:`net_defaults`).
        """
        values = {p.name: p.default for p in self.spec}
        if world == "nets":
            values.update(self.net_defaults)
        elif world != "surfaces":
            raise ValueError(f"world: expected 'surfaces' or 'nets', got {world!r}")
        return values

    def hparams(self, **overrides: Any) -> HParamsDict:
        """Every hyperparameter as a traced array; RLX defaults where not given.

        Raises ``ValueError`` naming the field for unknown names, wrong kinds, NaN/inf and
        values outside the valid range.
        """
        return encode_hparams(self.spec, overrides)

    # --- the protocol ----------------------------------------------------------------------

    def init(self, params: PyTree, *, seed: int = 0) -> OptState:
        """Fresh state: counter 0, zero moments, identity preconditioners; a key if random."""
        leaves = jax.tree.leaves(params)
        if not leaves:
            raise ValueError("params: no tensors to optimize")
        tensors = jax.tree.map(lambda p: self.init_tensor(jnp.asarray(p)), params)
        key = jax.random.PRNGKey(seed) if self.random else None
        return OptState(jnp.zeros((), jnp.int32), tensors, key)

    def step(
        self,
        params: PyTree,
        grads: PyTree,
        state: OptState,
        hp: HParamsDict,
        lr_scale: float | Mapping[str, float] | PyTree | None = None,
    ) -> tuple[PyTree, OptState]:
        """One whole iteration: update every tensor with the same ``t``, then advance it.

        ``lr_scale`` is RLX's per-tensor multiplier on the effective learning rate: a number
        for all tensors, a dict naming some of the params' keys (others 1.0) or a pytree
        shaped like the params.
        """
        self._check_hp(hp)
        if jax.tree.structure(grads) != jax.tree.structure(params):
            raise ValueError("grads: must have the same structure as params")
        return self._jitted_step(params, grads, state, hp, lr_scales(lr_scale, params))

    def update_hessian(self, state: OptState, h_hat: PyTree, hp: HParamsDict) -> OptState:
        """Sophia only: fold a diagonal-Hessian estimate into the EMA ``h``.

        ``h_hat`` is shaped like the params, or (for dict params) a dict for some tensors.
        """
        if self.hessian_tensor is None:
            raise ValueError(f"update_hessian: {self.name} keeps no Hessian estimate")
        self._check_hp(hp)
        return self._jitted_hessian(state, h_hat, hp)

    def as_optax(self, lr_scale: Any = None, **overrides: Any) -> GradientTransformation:
        """This optimizer as an optax-style transformation (updates = −descent = new − old params).

        Like optax's, its hyperparameters are fixed when it is built, so the step is
        specialised on them (dead terms such as a zero weight decay drop out); use ``step``
        with traced ``hparams`` where values must change without recompiling.

        The rule runs with the sign of ``lr_scale`` flipped: every descent is linear in it, so
        out comes −descent, the update, with the sign folded into the learning rate constant
        rather than spent on every entry.
        """
        fixed = {k: np.asarray(v) for k, v in self.hparams(**overrides).items()}

        @jax.jit
        def specialised(params: PyTree, grads: PyTree, state: OptState) -> tuple[PyTree, OptState]:
            flipped = jax.tree.map(operator.neg, lr_scales(lr_scale, params))
            return self._descend(params, grads, state, fixed, flipped)

        def init(params: PyTree) -> OptState:
            return self.init(params)

        def update(
            grads: PyTree, state: OptState, params: PyTree | None = None
        ) -> tuple[PyTree, OptState]:
            if params is None:
                raise ValueError(f"params: {self.name}.update needs the current params")
            if jax.tree.structure(grads) != jax.tree.structure(params):
                raise ValueError("grads: must have the same structure as params")
            return specialised(params, grads, state)

        return GradientTransformation(init, update)

    def clip_fraction(
        self, params: PyTree, grads: PyTree, before: OptState, after: OptState, hp: HParamsDict
    ) -> jax.Array:
        """Fraction of all entries whose update this optimizer's own clip changed in the step
        from ``before`` to ``after`` (0 for optimizers without a clip). Pure; jit-friendly."""
        leaves, treedef = jax.tree.flatten(params)
        if self.clip_tensor is None:
            return jnp.float32(0.0)
        total = jnp.float32(0.0)
        for p, g, s0, s1 in zip(
            leaves,
            treedef.flatten_up_to(grads),
            treedef.flatten_up_to(before.tensors),
            treedef.flatten_up_to(after.tensors),
            strict=True,
        ):
            total = total + self.clip_tensor(p, g, s0, s1, hp) * p.size
        return total / sum(p.size for p in leaves)

    # --- internals -------------------------------------------------------------------------

    @functools.cached_property
    def _hp_keys(self) -> frozenset[str]:
        return frozenset(self.hparams())

    def _check_hp(self, hp: HParamsDict) -> None:
        expected = self._hp_keys
        if not isinstance(hp, Mapping) or set(hp) != expected:
            got = sorted(hp) if isinstance(hp, Mapping) else type(hp).__name__
            raise ValueError(
                f"hp: expected {self.name}.hparams(...) with {sorted(expected)}, got {got}"
            )

    def _step_impl(
        self, params: PyTree, grads: PyTree, state: OptState, hp: HParamsDict, scales: PyTree
    ) -> tuple[PyTree, OptState]:
        descents, new_state = self._descend(params, grads, state, hp, scales)
        return jax.tree.map(jnp.subtract, params, descents), new_state

    def _descend(
        self, params: PyTree, grads: PyTree, state: OptState, hp: HParamsDict, scales: PyTree
    ) -> tuple[PyTree, OptState]:
        """One iteration's descents (θ_new = θ − descent) and the advanced state."""
        leaves, treedef = jax.tree.flatten(params)
        grad_leaves = treedef.flatten_up_to(grads)
        state_leaves = treedef.flatten_up_to(state.tensors)
        scale_leaves = treedef.flatten_up_to(scales)
        step_key = None if state.key is None else jax.random.fold_in(state.key, state.count)
        t = (state.count + 1).astype(jnp.float32)
        descents, new_states = [], []
        for index, (p, g, s, sc) in enumerate(
            zip(leaves, grad_leaves, state_leaves, scale_leaves, strict=True)
        ):
            key = None if step_key is None else jax.random.fold_in(step_key, index)
            ctx = StepContext(t, state.count, sc, key)
            descent, new_s = self.update_tensor(p, jnp.asarray(g, p.dtype), s, hp, ctx)
            descents.append(descent.astype(p.dtype))
            new_states.append(new_s)
        new_state = OptState(state.count + 1, treedef.unflatten(new_states), state.key)
        return treedef.unflatten(descents), new_state

    def _hessian_impl(self, state: OptState, h_hat: PyTree, hp: HParamsDict) -> OptState:
        assert self.hessian_tensor is not None
        update = self.hessian_tensor
        if isinstance(state.tensors, Mapping) and isinstance(h_hat, Mapping):
            unknown = sorted(set(h_hat) - set(state.tensors))
            if unknown:
                raise ValueError(f"h_hat: unknown tensor {unknown[0]!r}")
            tensors = dict(state.tensors)
            for name, h in h_hat.items():
                tensors[name] = jax.tree.map(
                    lambda s, h_leaf: update(s, h_leaf, hp),
                    state.tensors[name],
                    h,
                    is_leaf=_is_tensor_state,
                )
            return state._replace(tensors=type(state.tensors)(tensors))
        tensors = jax.tree.map(
            lambda s, h: update(s, h, hp), state.tensors, h_hat, is_leaf=_is_tensor_state
        )
        return state._replace(tensors=tensors)

    @functools.cached_property
    def _jitted_step(self) -> Callable[..., tuple[PyTree, OptState]]:
        return jax.jit(self._step_impl)

    @functools.cached_property
    def _jitted_hessian(self) -> Callable[..., OptState]:
        return jax.jit(self._hessian_impl)


def _is_tensor_state(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")
