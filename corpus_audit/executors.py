"""datatrove's local executor, without its per-task INFO logging on the terminal (it keeps the log files).

The terminal belongs to the progress bar and the summary; errors still show.
"""
from datatrove.executor.local import LocalPipelineExecutor
from loguru import logger

_SUMMARY_LOGGER = "datatrove.executor.local"  # logs the launch line and the stats block at the end of run()


class QuietLocalExecutor(LocalPipelineExecutor):
    """`summary=False` (the caller's quiet mode) also drops datatrove's end-of-run stats block from the terminal;
    the stats stay in the logging folder."""

    def __init__(self, *args, summary: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.summary = summary

    def run(self):
        if self.summary:
            return super().run()
        logger.disable(_SUMMARY_LOGGER)
        try:
            return super().run()
        finally:
            logger.enable(_SUMMARY_LOGGER)

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1):
        # datatrove prints INFO to stderr only for local_rank 0, ERROR for the others.
        return super()._run_for_rank(rank, local_rank=local_rank + 1, node_rank=node_rank)
