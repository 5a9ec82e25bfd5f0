"""Route every model step: fast path, the local small model, or a cloud LLM.

The planner asks the router, not a model. For each step the router picks a tier
from what the step is (`Step`: its purpose, how many tasks the request holds,
whether it is a long answer, whether it is private) and how the tiers are doing
(the cloud's health, its recent latency, the money spent), and says why. A local
answer that fails validation, or whose choices the model was unsure of, goes to
the cloud; a cloud that fails, times out or answers malformed falls back to the
local model, and after a few failures in a row a circuit breaker keeps it out
for a while. Every attempt becomes a `RouteDecision`, shown in `ask --json` as
`route`.

    router = Router(local=LocalModel(...), cloud=CloudModel(...), policy=RoutePolicy())
    completion, decisions = router.route(messages, schema, 320, Step("plan"))

Common device commands never reach a model: `FastPath` (agent/fastpath.py)
matches them against the site's names first.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from agent.errors import ModelError
from agent.models import ChatModel, Completion, Message

log = logging.getLogger(__name__)

Validator = Callable[[Completion], str | None]


class Tier(StrEnum):
    """Where a step was served."""

    FAST = "fast"
    LOCAL = "local"
    CLOUD = "cloud"


class Mode(StrEnum):
    """How a site lets the router use the cloud."""

    AUTO = "auto"  # local first; the cloud for hard steps and as a fallback
    LOCAL = "local"  # never the cloud, even when one is configured
    CLOUD = "cloud"  # the cloud first for every model step; local when it is down


@dataclass(frozen=True)
class Step:
    """What the router knows about a model step."""

    purpose: str
    tasks: int = 1
    long_form: bool = False
    private: str | None = None  # why the step must stay on site, if it must


@dataclass(frozen=True)
class RouteDecision:
    """One attempt at a step: where it went, why, and how it went."""

    purpose: str
    tier: str
    reason: str
    model: str | None
    latency_ms: float
    ok: bool = True
    prompt_tokens: int = 0
    completion_tokens: int = 0
    confidence: float | None = None
    error: str | None = None
    served: bool = False  # this attempt's answer is the one the step used

    def record(self) -> dict[str, Any]:
        """The decision as JSON-able data, with `seconds` for older readers."""
        return {**asdict(self), "seconds": round(self.latency_ms / 1000, 3)}


@dataclass(frozen=True)
class RoutePolicy:
    """The site's rules for the cloud; the defaults keep it for hard steps."""

    mode: Mode = Mode.AUTO
    allow_private: bool = False
    min_confidence: float = 0.6
    escalate_tasks: int = 3
    long_form_to_cloud: bool = True
    latency_budget_s: float = 20.0
    latency_retry_s: float = 120.0  # a slow cloud gets a hard step again after this
    budget_usd: float = 1.0
    usd_per_mtok_in: float = 0.15
    usd_per_mtok_out: float = 0.60


@dataclass
class CircuitBreaker:
    """Opens after `threshold` failures in a row; lets one try through after
    `cooldown_s`; closes again on a success."""

    threshold: int = 3
    cooldown_s: float = 60.0
    failures: int = 0
    opened_at: float | None = None
    clock: Callable[[], float] = time.monotonic

    def allows(self) -> bool:
        """True when a call may go to the endpoint now."""
        if self.opened_at is None:
            return True
        return self.clock() - self.opened_at >= self.cooldown_s

    def succeeded(self) -> None:
        """A call worked: close."""
        self.failures, self.opened_at = 0, None

    def failed(self) -> None:
        """A call failed: count it, and open (again) at the threshold."""
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = self.clock()

    def retry_in(self) -> float:
        """Seconds until the next try is let through."""
        if self.opened_at is None:
            return 0.0
        return max(self.cooldown_s - (self.clock() - self.opened_at), 0.0)


@dataclass
class CloudUsage:
    """Tokens and money the cloud tier used, and its recent latency."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    usd: float = 0.0
    latency_s: float | None = None  # exponentially weighted mean of answers
    last_at: float | None = None

    def seconds_since(self) -> float:
        """Seconds since the cloud last answered (infinite if never)."""
        return math.inf if self.last_at is None else time.monotonic() - self.last_at

    def add(self, completion: Completion, policy: RoutePolicy) -> None:
        """Count one answer."""
        self.last_at = time.monotonic()
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self.usd += (
            completion.prompt_tokens * policy.usd_per_mtok_in
            + completion.completion_tokens * policy.usd_per_mtok_out
        ) / 1e6
        seconds = completion.seconds
        self.latency_s = (
            seconds if self.latency_s is None else 0.7 * self.latency_s + 0.3 * seconds
        )


@dataclass
class Router:
    """Chooses a tier per step and falls back when a tier fails."""

    local: ChatModel | None = None
    cloud: ChatModel | None = None
    policy: RoutePolicy = field(default_factory=RoutePolicy)
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    usage: CloudUsage = field(default_factory=CloudUsage)

    def __post_init__(self) -> None:
        if self.local is None and self.cloud is None:
            raise ModelError("A router needs a local model, a cloud model, or both.")

    @property
    def name(self) -> str:
        """The model most steps go to."""
        model = self.local or self.cloud
        return model.name  # type: ignore[union-attr]

    def complete(
        self,
        messages: list[Message],
        schema: dict[str, Any] | None = None,
        max_tokens: int = 256,
    ) -> Completion:
        """`ChatModel.complete`, routed as a plain step."""
        return self.route(messages, schema, max_tokens, Step("complete"))[0]

    def route(
        self,
        messages: list[Message],
        schema: dict[str, Any] | None,
        max_tokens: int,
        step: Step,
        validate: Validator | None = None,
        cloud_messages: list[Message] | None = None,
    ) -> tuple[Completion, list[RouteDecision]]:
        """Serve one step; the decisions list every attempt with its reason.

        `cloud_messages`, when given, is what the cloud is sent instead of
        `messages` (the site prompt without private rooms and devices).
        Raises ModelError only when no tier could answer.
        """
        views = {Tier.LOCAL: messages, Tier.CLOUD: cloud_messages or messages}
        tier, reason = self.choose(step)
        completion, decision = self._attempt(
            tier, reason, views[tier], schema, max_tokens, step
        )
        problem, usable = self._judge(completion, decision, validate)
        if problem is None:
            return completion, [served(decision)]  # type: ignore[return-value]

        other = Tier.CLOUD if tier == Tier.LOCAL else Tier.LOCAL
        blocked = self.cloud_blocked(step) if other == Tier.CLOUD else None
        if other == Tier.LOCAL and self.local is None:
            blocked = "no local model"
        if blocked:
            if usable:  # valid, only unsure: better than nothing
                return completion, [served(decision)]  # type: ignore[return-value]
            raise ModelError(f"No model could answer ({problem}; {blocked}).")
        verb = "escalated" if other == Tier.CLOUD else "fell back"
        again, second = self._attempt(
            other, f"{verb}: {problem}", views[other], schema, max_tokens, step
        )
        problem_again, usable_again = self._judge(again, second, validate)
        if problem_again is None or (usable_again and other == Tier.LOCAL):
            return again, [decision, served(second)]  # type: ignore[return-value]
        if usable:
            return completion, [served(decision), second]  # type: ignore[return-value]
        raise ModelError(f"No model could answer: {problem}; {problem_again}")

    def choose(self, step: Step) -> tuple[Tier, str]:
        """The first tier to try for `step`, and why."""
        blocked = self.cloud_blocked(step)
        if self.local is None:
            return Tier.CLOUD, blocked or "no local model"
        if blocked:
            return Tier.LOCAL, blocked
        if self.policy.mode == Mode.CLOUD:
            return Tier.CLOUD, "cloud first (route mode cloud)"
        hard = self.difficulty(step)
        if not hard:
            return Tier.LOCAL, "simple step"
        slow = self.usage.latency_s
        recent = self.usage.seconds_since() < self.policy.latency_retry_s
        if slow is not None and slow > self.policy.latency_budget_s and recent:
            return Tier.LOCAL, (
                f"{hard}, but the cloud's recent latency {slow:.1f} s is over the "
                f"{self.policy.latency_budget_s:g} s budget"
            )
        return Tier.CLOUD, hard

    def difficulty(self, step: Step) -> str | None:
        """Why a step is hard enough for the cloud, or None."""
        if step.long_form and self.policy.long_form_to_cloud:
            return "long-form answer"
        if step.purpose == "plan" and step.tasks >= self.policy.escalate_tasks:
            return f"{step.tasks} tasks in one request"
        return None

    def cloud_blocked(self, step: Step) -> str | None:
        """Why the cloud must not serve `step` now, or None."""
        if self.cloud is None:
            return "no cloud configured"
        if self.policy.mode == Mode.LOCAL:
            return "this site never uses the cloud"
        if step.private and not self.policy.allow_private:
            return f"private: {step.private}"
        if not self.breaker.allows():
            return (
                f"cloud circuit open after {self.breaker.failures} failures "
                f"(next try in {self.breaker.retry_in():.0f} s)"
            )
        if self.usage.usd >= self.policy.budget_usd:
            return f"cloud budget of ${self.policy.budget_usd:g} spent"
        return None

    def _judge(
        self,
        completion: Completion | None,
        decision: RouteDecision,
        validate: Validator | None,
    ) -> tuple[str | None, bool]:
        """Why an attempt's answer should not be used as it is (None when it
        should), and whether it could still be used when no other tier does
        better: any answer at all (the planner and the guard check it again)."""
        if completion is None:
            return f"{decision.tier} failed: {decision.error}", False
        if validate is not None and (invalid := validate(completion)):
            return f"{decision.tier} answer invalid: {invalid}", True
        low = completion.confidence
        if (
            decision.tier == Tier.LOCAL
            and low is not None
            and low < self.policy.min_confidence
        ):
            return f"local confidence {low:.2f} < {self.policy.min_confidence:g}", True
        return None, True

    def _attempt(
        self,
        tier: Tier,
        reason: str,
        messages: list[Message],
        schema: dict[str, Any] | None,
        max_tokens: int,
        step: Step,
    ) -> tuple[Completion | None, RouteDecision]:
        """Call one tier; a failure is recorded, never raised."""
        model = self.cloud if tier == Tier.CLOUD else self.local
        started = time.perf_counter()
        try:
            completion = model.complete(  # type: ignore[union-attr]
                messages, schema, max_tokens
            )
        except Exception as exc:  # noqa: BLE001 - a failing tier never ends the turn
            if tier == Tier.CLOUD:
                self.breaker.failed()
            log.warning(
                "%s step on %s failed (%s): %s", step.purpose, tier, reason, exc
            )
            return None, self._decision(step, tier, reason, model, started, exc=exc)
        if tier == Tier.CLOUD:
            self.breaker.succeeded()
            self.usage.add(completion, self.policy)
        log.info("%s step → %s (%s)", step.purpose, tier, reason)
        return completion, self._decision(
            step, tier, reason, model, started, completion=completion
        )

    @staticmethod
    def _decision(
        step: Step,
        tier: Tier,
        reason: str,
        model: Any,
        started: float,
        completion: Completion | None = None,
        exc: Exception | None = None,
    ) -> RouteDecision:
        return RouteDecision(
            purpose=step.purpose,
            tier=tier.value,
            reason=reason,
            model=getattr(model, "name", None),
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            ok=exc is None,
            prompt_tokens=completion.prompt_tokens if completion else 0,
            completion_tokens=completion.completion_tokens if completion else 0,
            confidence=(
                round(completion.confidence, 3)
                if completion and completion.confidence is not None
                else None
            ),
            error=str(exc) if exc else None,
        )


def served(decision: RouteDecision) -> RouteDecision:
    """`decision`, marked as the attempt whose answer was used."""
    return replace(decision, served=True)


def fast_decision(reason: str, started: float) -> RouteDecision:
    """The decision for a step the fast path answered without a model."""
    return RouteDecision(
        purpose="plan",
        tier=Tier.FAST.value,
        reason=reason,
        model=None,
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
        served=True,
    )
