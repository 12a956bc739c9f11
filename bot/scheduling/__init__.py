"""Scheduling: when nudges land (planner, cap), the outbox that sends them once, the scheduler."""
