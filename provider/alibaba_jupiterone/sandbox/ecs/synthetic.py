"""The former home of the synthetic ECS fleet: see :mod:`alibaba_jupiterone.sandbox.alibaba.ecs.synthetic`."""

from __future__ import annotations

from alibaba_jupiterone.sandbox.alibaba.ecs.synthetic import synthetic_fleet

__all__ = ["synthetic_fleet"]
