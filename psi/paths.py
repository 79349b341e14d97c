"""Where the project keeps its files; read by the settings and by the development tools."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state (the beat schedule; in development the embedded servers' data and the demo files).
VAR_DIR = Path(os.environ.get("PSI_VAR_DIR", BASE_DIR / "var"))
