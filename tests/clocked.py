"""Run a module as ``python -m`` would, with the clock at a given moment, ticking on.

``python -m tests.clocked MOMENT MODULE ARGS…`` (MOMENT in seconds since the epoch): a child
process of a test (a Celery worker) then shares the parent's clock when the suite runs with
``--today``, as the worker threads in the test process do.
"""

from __future__ import annotations

import runpy
import sys

import time_machine

if __name__ == "__main__":
    moment, module, *arguments = sys.argv[1:]
    sys.argv = [module, *arguments]
    with time_machine.travel(float(moment), tick=True):
        runpy.run_module(module, run_name="__main__", alter_sys=True)
