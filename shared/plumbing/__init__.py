"""What every feature stands on: exactly-once tasks (runner, unit of work, the job
frame), webhook intake and per-user ordering, sending (delivery), limits, metering of
model calls, caller authentication, erasure of a user's data, and the Feature registry.
Nothing here knows a feature; features import from here, never the other way round."""
