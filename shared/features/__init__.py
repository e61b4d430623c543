"""One package per feature. Each exports one `FEATURE` value (shared/plumbing/features.py):
its part of the conversation, its handlers and job handlers, and the collections and
storage areas it owns. bootstrap registers them from one list (FEATURES)."""
