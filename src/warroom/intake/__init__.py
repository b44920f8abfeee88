"""Alert intake: alerts come in here and leave as incidents.

- ``sources/``: one module per alert format (its wire schema and its mapping
  to the internal alert), the list of them, and the HTTP receivers;
  ``poller`` polls Prometheus.
- ``pipeline/``: a delivery's way in: dedup, route, group, place, store,
  resolve, and the group commit that batches deliveries.
- ``rules/``: the routing rule format and the rulebook.
- ``silences``, ``integrations``, ``changes`` (change events on incidents),
  ``switches`` (monitoring switch and generation counters).
- ``service``: what the API, the CLI and the worker call; ``present`` shapes
  records for them.
"""
