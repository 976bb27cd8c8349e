"""Running one check in several threads at once, for the thread-safety tests."""

from __future__ import annotations

import threading
from collections.abc import Callable


def errors_in_threads(work: Callable[[], None], threads: int = 4) -> list[BaseException]:
    """Run ``work`` in ``threads`` threads at once; what each raised (empty when none did).
    An assertion failing inside a thread would otherwise only be printed."""
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the calling test
            errors.append(exc)

    running = [threading.Thread(target=guarded) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return errors
