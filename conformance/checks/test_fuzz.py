"""Generated requests for every operation of the contract, valid (positive) and invalid (negative)."""

from schemathesis import GenerationMode

from conformance.fuzz import check_case, load_schema

positive = load_schema(GenerationMode.POSITIVE)
negative = load_schema(GenerationMode.NEGATIVE)


@positive.parametrize()
def test_positive(case, target, reporter):
    check_case(case, target, reporter, positive=True)


@negative.parametrize()
def test_negative(case, target, reporter):
    check_case(case, target, reporter, positive=False)
