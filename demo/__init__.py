"""A small service to break: the metrics the seed's alert rules read, with faults."""
