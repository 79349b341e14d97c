"""One adapter per partner; ``adapter_for`` picks it by organisation code."""

from ingest.adapters.base import Adapter
from ingest.adapters.coa import CoaAdapter
from ingest.adapters.dtv import DtvAdapter
from ingest.adapters.dvz import DvzAdapter
from ingest.adapters.fedasil import FedasilAdapter
from ingest.adapters.ind import IndAdapter

ADAPTERS: dict[str, type[Adapter]] = {
    "IND": IndAdapter,
    "COA": CoaAdapter,
    "DTV": DtvAdapter,
    "DVZ": DvzAdapter,
    "FEDASIL": FedasilAdapter,
}


def adapter_for(partner: str) -> Adapter:
    """The adapter for a partner code; ``KeyError`` names the partners that have one."""
    try:
        return ADAPTERS[partner]()
    except KeyError:
        raise KeyError(
            f"no adapter for {partner!r}; known: {', '.join(sorted(ADAPTERS))}"
        ) from None
