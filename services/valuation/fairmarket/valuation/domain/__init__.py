"""The valuation engine: pure NumPy/SciPy, no I/O.

``value(comps, as_of=...)`` returns a ``Valuation``; ``Valuation.to_payload()``
gives the fields of the ``valuation.computed`` event that the engine decides.
"""

from fairmarket.valuation.domain.engine import value, value_frame
from fairmarket.valuation.domain.frame import CompFrame
from fairmarket.valuation.domain.grades import normalize_grade
from fairmarket.valuation.domain.model import (
    Comp,
    CompDetail,
    ConfidenceParts,
    GradeAdjustment,
    Reason,
    SourceStat,
    Valuation,
)
from fairmarket.valuation.domain.params import DEFAULT_PARAMS, METHOD_VERSION, MethodParams

__all__ = [
    "DEFAULT_PARAMS",
    "METHOD_VERSION",
    "Comp",
    "CompDetail",
    "CompFrame",
    "ConfidenceParts",
    "GradeAdjustment",
    "MethodParams",
    "Reason",
    "SourceStat",
    "Valuation",
    "normalize_grade",
    "value",
    "value_frame",
]
