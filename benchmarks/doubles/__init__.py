"""Slack and Teams API doubles for the benchmarks that enforce the platforms' documented rate
limits (answering 429 with Retry-After), so a fan-out figure says how close GoFirst gets to what
the real platforms would allow, not how fast a loopback server answers."""
