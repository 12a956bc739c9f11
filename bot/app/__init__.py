"""The wiring: assembles the one aiohttp server from the edges the settings turn on, and starts the
scheduler and the delivery worker with it. With the CLI, the only code that imports adapters."""
