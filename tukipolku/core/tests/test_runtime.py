import gc

from tukipolku.core.runtime import GC_GEN0_THRESHOLD, tune_gc


def test_tune_gc__freezes_startup_objects_and_raises_threshold():
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
