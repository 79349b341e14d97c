"""``python -m tests.print_today``: the date ``chain.clock`` gives, for a test of child clocks."""

from __future__ import annotations

import os

import django

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psi.settings")
    django.setup()
    from chain import clock

    print(clock.today().isoformat())
