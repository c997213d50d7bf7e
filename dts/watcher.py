"""The trigger watcher: fires automatic buy/sell orders when a quote crosses their price.

Two ways in, one way to fire. Every fresh quote fetched anywhere is published on Redis and checked
here at once against that symbol's orders only (found through dts.adapters.redis.watch_hints); and
every `watch_interval_s` the watcher itself refreshes each symbol that has a live trigger, so a
quiet symbol is still checked at least every 120 s. Firing is the same guarded account write as any
command, so an order fires at most once even if two checks race.

The same sweep settles pending BUYs and SELLs whose 60 s window has closed, so their reservations
return (with their audit events) even if their owner never comes back.

The hints are rebuilt from the accounts themselves at start-up and every `hint_rebuild_s`, so a hint
lost between an account write and its publish (a crash, a Redis restart) delays a trigger by at
most that long.

Several instances may run: one leads (dts.adapters.redis.leader, a lease in Redis) and does all of
the above; the others only keep trying to take the lease, and the one that does rebuilds the hints
and goes on.

Run: `python -m dts.watcher`.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

import redis

from dts import metrics
from dts.adapters.audit.journal import journal_backlog
from dts.adapters.redis.leader import Lease, instance_id
from dts.adapters.redis.quotes import QUOTE_CHANNEL, read_quote_message
from dts.adapters.redis.watch_hints import WatchHints
from dts.config import Settings
from dts.domain.events import Event
from dts.errors import DtsError
from dts.services import Caller, Services
from dts.wiring import named, wire

log = logging.getLogger("dts.watcher")
WATCHER_USER = "dts-watcher"


class TriggerWatcher:
    def __init__(
        self,
        services: Services,
        client: redis.Redis,
        interval_s: float,
        rebuild_s: float = 60.0,
        lease: Lease | None = None,
    ) -> None:
        self.services = services
        self.lease = lease
        self.redis = client
        self.hints = WatchHints(client)
        self.interval_s = interval_s
        self.rebuild_s = rebuild_s
        self.rebuilt_at: float | None = None
        self.refresh_first: set[str] = set()
        self.stopping = threading.Event()

    @property
    def leading(self) -> bool:
        return self.lease is None or self.lease.held

    def keep_lease(self) -> None:
        """Renews (or tries to take) the lease every third of it, until the watcher stops."""
        assert self.lease is not None
        while not self.stopping.is_set():
            was = self.lease.held
            if self.lease.hold() and not was:
                self.rebuilt_at = None  # a new leader starts from the accounts themselves
            self.stopping.wait(self.lease.renew_every_s)
        self.lease.release()

    def record(self, events: list[Event]) -> None:
        """Audits what the watcher did; a failure is logged, never a reason to stop checking."""
        if not events:
            return
        try:
            self.services.audit.record(events)
        except DtsError as exc:
            log.error("could not record %d audit events: %s", len(events), exc.message)

    def next_trx(self) -> int:
        return int(self.redis.incr("dts:trxnum"))

    def check_symbol(self, sym: str, price_cents: int) -> int:
        """Fires every order on `sym` that `price_cents` crosses; returns how many fired."""
        fired = 0
        for username in self.hints.crossed(sym, price_cents):
            if not self.leading:
                break
            caller = Caller(username, self.next_trx())
            try:
                reply = self.services.fire_triggers(caller, sym, price_cents)
            except DtsError as exc:
                log.warning("could not check %s's orders on %s: %s", username, sym, exc.message)
                continue
            except Exception:  # a bug or an unreadable account: never every other user's problem
                log.exception("could not check %s's orders on %s", username, sym)
                continue
            finally:
                self.record(caller.trail)
            fired += len(reply["fired"])
            metrics.triggers_fired(str(order["side"]) for order in reply["fired"])
        return fired

    def settle_expired(self) -> int:
        """Gives back what expired BUYs and SELLs reserved, without waiting for their owners."""
        settled = 0
        for username in self.hints.expired(self.services.clock_ms()):
            caller = Caller(username, self.next_trx())
            try:
                self.services.settle(caller)
            except DtsError as exc:
                log.warning("could not settle %s's expired trades: %s", username, exc.message)
                continue
            except Exception:
                log.exception("could not settle %s's expired trades", username)
                continue
            finally:
                self.record(caller.trail)
            if caller.trail:
                settled += 1
        return settled

    def rebuild_hints(self) -> int:
        """Republishes every account's hints; the version check keeps newer ones as they are."""
        published = self.hints.publish_all(
            (account, account.version) for account in self.services.accounts.every_account()
        )
        self.rebuilt_at = time.monotonic()
        return published

    def sweep(self) -> None:
        """Settles expiries, checks every symbol whose quote is cached, then refreshes the rest.

        The cached ones go first and all at once (one MGET): a quote that moved must not wait
        behind hundreds of quote-server fetches. Refreshing stops after `interval_s`, and the
        symbols left over come first in the next sweep's refresh.
        """
        started = time.perf_counter()
        try:
            self._sweep()
        finally:
            metrics.sweep_done(started)

    def _sweep(self) -> None:
        if self.rebuilt_at is None or time.monotonic() - self.rebuilt_at >= self.rebuild_s:
            self.rebuild_hints()
        self.settle_expired()
        symbols = self.hints.symbols()
        cached = self.services.quotes.cached_prices(symbols)
        for sym, price in cached.items():
            self.check_symbol(sym, price)
        stale = [sym for sym in symbols if sym not in cached]
        stale.sort(key=lambda sym: sym not in self.refresh_first)
        deadline = time.monotonic() + self.interval_s
        for i, sym in enumerate(stale):
            if self.stopping.is_set() or not self.leading or time.monotonic() > deadline:
                self.refresh_first = set(stale[i:])
                return
            try:
                quote, events = self.services.quotes.get(sym, WATCHER_USER, self.next_trx())
            except DtsError as exc:  # one symbol's quote failing must not hold up the others
                log.warning("could not refresh %s: %s", sym, exc.message)
                continue
            self.record(events)
            self.check_symbol(sym, quote.price_cents)
        self.refresh_first = set()

    def listen(self) -> None:
        """Checks each freshly fetched quote as it is published."""
        while not self.stopping.is_set():
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(QUOTE_CHANNEL)
                while not self.stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None or not self.leading:
                        continue
                    sym, price_cents, fetched_ms = read_quote_message(message["data"].decode())
                    self.check_symbol(sym, price_cents)
                    if fetched_ms is not None:
                        metrics.trigger_lag(fetched_ms)
            except (redis.RedisError, DtsError, ValueError) as exc:
                if isinstance(exc, redis.RedisError):
                    metrics.redis_error("quote_listener")
                log.warning("quote listener: %s; reconnecting", exc)
                self.stopping.wait(1.0)

    def run(self) -> None:
        listener = threading.Thread(target=self.listen, name="quote-listener", daemon=True)
        listener.start()
        keeper = None
        if self.lease is not None:
            self.lease.hold()
            keeper = threading.Thread(target=self.keep_lease, name="leader-lease", daemon=True)
            keeper.start()
        standby_s = min(self.interval_s, self.lease.renew_every_s if self.lease else 1.0)
        while not self.stopping.is_set():
            if not self.leading:
                self.stopping.wait(standby_s)
                continue
            try:
                self.sweep()
            except (redis.RedisError, DtsError) as exc:
                if isinstance(exc, redis.RedisError):
                    metrics.redis_error("watcher_sweep")
                log.warning("sweep failed: %s", exc)
            except Exception:  # a bug in one sweep must not end the watcher: the next may pass
                log.exception("sweep failed")
            self.stopping.wait(self.interval_s)
        listener.join(timeout=5)
        if keeper is not None:
            keeper.join(timeout=5)


def build(settings: Settings) -> TriggerWatcher:
    wiring = wire(settings)
    lease = Lease(wiring.redis, instance_id(settings.instance), settings.leader_lease_s)
    return TriggerWatcher(
        wiring.services, wiring.redis, settings.watch_interval_s, settings.hint_rebuild_s, lease
    )


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = named(Settings.from_env(), "watcher")
    metrics.enable(settings.metrics)
    watcher = build(settings)
    if settings.metrics:
        metrics.serve(
            settings.watcher_metrics_bind,
            metrics.AuditBacklog(lambda: journal_backlog(watcher.redis)),
        )
    signal.signal(signal.SIGTERM, lambda *_: watcher.stopping.set())
    signal.signal(signal.SIGINT, lambda *_: watcher.stopping.set())
    log.info("watching triggers every %.1f s", settings.watch_interval_s)
    watcher.run()


if __name__ == "__main__":
    main()
