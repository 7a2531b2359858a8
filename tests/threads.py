"""Run jobs in threads that start together, for tests of what happens when requests meet."""

import threading

from django.db import connections


def run_at_once(*jobs, timeout=30):
    """Call each job in a thread of its own, all released together by a barrier; returns their
    results (in the jobs' order, None for a job that raised) and the exceptions raised, which a
    test reports instead of losing them in a thread. Each thread closes its database connections."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(i, job):
        try:
            barrier.wait(timeout=timeout)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
