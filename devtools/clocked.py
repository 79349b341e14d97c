"""Child processes on their parent's clock: what a test pinned with ``--today`` also pins there.

``python -m devtools.clocked MOMENT MODULE ARGS…`` (MOMENT in seconds since the epoch) runs a
module as ``python -m`` would, with the clock at that moment, ticking on. Tests start Celery
workers this way, and the benchmarks' smoke runs their gunicorn, worker and beat, so that a
suite run at a pinned date asks its servers about the same "today" as itself.
"""

from __future__ import annotations

import runpy
import sys
import time

import time_machine


def on_this_clock(module: str) -> list[str]:
    """The command that runs ``python -m module`` on this process's clock, pinned or not."""
    if time_machine.escape_hatch.is_travelling():
        return [sys.executable, "-m", "devtools.clocked", repr(time.time()), module]
    return [sys.executable, "-m", module]


if __name__ == "__main__":
    moment, module, *arguments = sys.argv[1:]
    sys.argv = [module, *arguments]
    with time_machine.travel(float(moment), tick=True):
        runpy.run_module(module, run_name="__main__", alter_sys=True)
