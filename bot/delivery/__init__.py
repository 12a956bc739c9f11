"""Delivery: the one owner of sending. The nudge state machine (states.py), the pure send-time policy
(policy.py), the nudge outbox and its crash recovery, reminders, the outbox for posts whose result
must be stored (share posts, answers, digests: posts.py) and the worker that drives them all.
The engine and the planner ask this package; it never asks them."""
from bot.delivery.nudges import deliver_nudge, find_nudge, plan_nudge, send_now
from bot.delivery.policy import Policy
from bot.delivery.states import NudgeState

__all__ = ["NudgeState", "Policy", "deliver_nudge", "find_nudge", "plan_nudge", "send_now"]
