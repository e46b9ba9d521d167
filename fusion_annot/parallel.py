"""--threads N: work spread over N worker processes, with the output of one process.

Processes, not threads (the work is pure Python). They are forked once the reference, domains and knowledge
base are loaded, so each worker starts with them in (copy-on-write) memory and nothing large is pickled: a
worker gets a small task (which share of a file's chunks, which sample) and hands back small results. Where
fork is not available (Windows, macOS spawn default) the work runs in this process.
"""
from __future__ import annotations

import multiprocessing
from typing import Callable, Optional, Sequence

# What a forked worker inherits from its parent: set just before the pool forks and cleared after it is
# done; never pickled. Only the workers of that pool read it.
_INHERITED: dict = {}


def fork_context() -> Optional[multiprocessing.context.BaseContext]:
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def annotate_chunks_in_processes(job, resources, threads: int) -> list:
    """ChunkOutputs of every chunk of ``job``'s file: worker k annotates chunks k, k + n, k + 2n, ..."""
    from .streaming import ChunkOutput

    context = fork_context()
    if context is None:
        return job.run(resources)
    _INHERITED["file"] = (job, resources)
    try:
        with context.Pool(threads) as pool:
            shares = pool.map(_file_share, [(k, threads) for k in range(threads)])
    finally:
        _INHERITED.clear()
    outputs = sorted((o for share in shares for o in share), key=lambda o: o.index)
    return outputs or [ChunkOutput(0, job.work_dir)]


def _file_share(share: tuple[int, int]) -> list:
    job, resources = _INHERITED["file"]
    return job.run(resources, share=share)


def map_in_processes(function: Callable, tasks: Sequence, threads: int, state) -> list:
    """[function(state, task) for task in tasks], in ``threads`` forked processes, results in task order.
    ``state`` (e.g. the loaded resources) is inherited by the workers, not pickled."""
    context = fork_context()
    if context is None or threads <= 1 or len(tasks) <= 1:
        return [function(state, task) for task in tasks]
    _INHERITED["map"] = (function, state)
    try:
        with context.Pool(min(threads, len(tasks))) as pool:
            return pool.map(_map_one, tasks, chunksize=1)
    finally:
        _INHERITED.clear()


def _map_one(task):
    function, state = _INHERITED["map"]
    return function(state, task)
