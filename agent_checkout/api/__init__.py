"""The Python API: ``agent_checkout.run`` and ``agent_checkout.compare`` with typed summaries
and the ledger's tables as Arrow tables (see :mod:`agent_checkout.api.runs`)."""
