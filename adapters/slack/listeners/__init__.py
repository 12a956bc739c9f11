"""Bolt listeners grouped by kind; each module has `register(app, edge)` and lists what it listens
for, so the manifest test can compare code and manifest."""
