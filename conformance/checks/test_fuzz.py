"""Generated requests for every operation of the contract, valid (positive) and invalid (negative)."""

from schemathesis import GenerationMode

from conformance import contract
from conformance.fuzz import check_case, load_schema
from conformance.meta import AREA_REST, CheckMeta, operation_fact

positive = load_schema(GenerationMode.POSITIVE)
negative = load_schema(GenerationMode.NEGATIVE)


@positive.parametrize()
def test_positive(case, target, reporter):
    check_case(case, target, reporter, positive=True)


@negative.parametrize()
def test_negative(case, target, reporter):
    check_case(case, target, reporter, positive=False)


def check_meta(item):
    operation = next(op for op in contract.operations() if op.label == item.operation_label)
    return CheckMeta(AREA_REST, operation.operation_id, frozenset({operation_fact(operation.operation_id)}))
