import gc

from common.startup import freeze_start_up


def test_start_up_is_frozen_once_per_process():
    freeze_start_up()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    made_later = [object() for _ in range(1000)]
    freeze_start_up()  # another app started in the same process: nothing more is frozen
    assert gc.get_freeze_count() == frozen and made_later
