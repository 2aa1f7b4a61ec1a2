"""evaluator: 预算绩效自评评分引擎 (Chinese budget-performance self-evaluation engine)."""
from __future__ import annotations

__version__ = "0.1.0"

from .compiler import compile_target  # noqa: E402
from .target import Target  # noqa: E402
from .readers import TargetTable, read_targets  # noqa: E402
from .evaluate import Evaluation, evaluate  # noqa: E402

__all__ = ["compile_target", "Target", "TargetTable", "read_targets", "evaluate", "Evaluation", "__version__"]
