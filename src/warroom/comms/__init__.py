"""Communications: the seeds' message templates rendered from incident data,
sent through the outbox, numbered status updates and the update cadence."""
