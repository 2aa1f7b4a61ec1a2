import gc

from evaluator.gc_tuning import BULK_THRESHOLD, bulk_gc


def test_threshold_raised_inside_and_restored_after():
    before = gc.get_threshold()
    with bulk_gc():
        assert gc.get_threshold()[0] == max(BULK_THRESHOLD, before[0])
        with bulk_gc():  # nested: unchanged
            assert gc.get_threshold()[0] == max(BULK_THRESHOLD, before[0])
    assert gc.get_threshold() == before


def test_restored_when_the_block_raises():
    before = gc.get_threshold()
    try:
        with bulk_gc():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.get_threshold() == before
