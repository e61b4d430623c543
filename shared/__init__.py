"""MedBot application package: domain (pure), services (use cases), ports, adapters, fakes."""
