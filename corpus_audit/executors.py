"""datatrove's local executor, without its per-task INFO logging on the terminal (it keeps the log files).

The terminal belongs to the progress bar and the summary; errors still show.
"""
from datatrove.executor.local import LocalPipelineExecutor


class QuietLocalExecutor(LocalPipelineExecutor):
    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1):
        # datatrove prints INFO to stderr only for local_rank 0, ERROR for the others.
        return super()._run_for_rank(rank, local_rank=local_rank + 1, node_rank=node_rank)
