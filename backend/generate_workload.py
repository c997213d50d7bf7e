"""Generates realistic, reproducible workload files.

    .venv/bin/python backend/generate_workload.py --users 100 --commands-per-user 1000 --seed 1
    .venv/bin/python backend/generate_workload.py --shape final --users 1200 \
        --commands-per-user 1000 --seed 1200 -o final.txt

The mix is close to the classic final workload (BUY 14.1 %, QUOTE 13.1 %, ADD 11.1 %, ...). Each
user starts with an ADD; a BUY is mostly followed by its COMMIT or CANCEL, a trigger by its amount;
users' commands are interleaved; one DUMPLOG ends the file.

Two shapes. `classic` users act as a careful client would: they sell what they bought and set a
trigger on the amount they just set, so few commands are refused. `final` imitates the course's
final workload as measured: the same mix, but 2,773 symbols, each user's commands chosen with
little regard for what they hold or set (a SELL of a symbol never bought, a trigger without an
amount, a commit after a refused trade), so that about 45 % of the commands are refused.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dts.price_walk import fixed_price_cents

# (weight in %, the commands one action emits). Weights are chosen so that the resulting command
# mix matches the classic workload: e.g. BUY = 8.2 + 2.4 + 3.5 = 14.1 %.
ACTIONS: list[tuple[float, tuple[str, ...]]] = [
    (8.2, ("BUY", "COMMIT_BUY")),
    (2.4, ("BUY", "CANCEL_BUY")),
    (3.5, ("BUY",)),
    (4.4, ("SELL", "COMMIT_SELL")),
    (1.9, ("SELL", "CANCEL_SELL")),
    (4.9, ("SET_BUY_AMOUNT", "SET_BUY_TRIGGER")),
    (3.5, ("SET_BUY_TRIGGER",)),
    (4.5, ("SET_SELL_AMOUNT", "SET_SELL_TRIGGER")),
    (2.8, ("SET_SELL_TRIGGER",)),
    (2.0, ("CANCEL_SET_BUY",)),
    (2.4, ("CANCEL_SET_SELL",)),
    (13.1, ("QUOTE",)),
    (11.1, ("ADD",)),
    (9.0, ("DISPLAY_SUMMARY",)),
]


def dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def symbols(rng: random.Random, count: int) -> list[str]:
    pool: set[str] = set()
    while len(pool) < count:
        pool.add("".join(rng.choices(string.ascii_uppercase, k=rng.randint(1, 3))))
    return sorted(pool)


def username(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits, k=10))


@dataclass(frozen=True)
class Shape:
    symbols: int  # distinct symbols in the file's pool
    favourites: tuple[int, int]  # how many of them each user trades, at least and at most
    careless: float  # how often a command ignores what the user holds or has set
    buy_cents: tuple[int, int]  # a BUY's amount, at least and at most
    sell_cents: tuple[int, int]  # a SELL's


SHAPES = {
    "classic": Shape(
        300, (3, 8), careless=0.0, buy_cents=(10_00, 1_000_00), sell_cents=(10_00, 500_00)
    ),
    "final": Shape(
        2773, (20, 60), careless=1.0, buy_cents=(1_00, 500_00), sell_cents=(1_00, 300_00)
    ),
}


class UserScript:
    """One user's plausible sequence of commands."""

    def __init__(
        self, rng: random.Random, name: str, syms: list[str], shape: Shape = SHAPES["classic"]
    ) -> None:
        self.rng = rng
        self.name = name
        self.shape = shape
        self.favourites = rng.sample(syms, k=min(len(syms), rng.randint(*shape.favourites)))
        self.held: list[str] = []
        self.buy_orders: list[str] = []
        self.sell_orders: list[str] = []

    def sym(self) -> str:
        return self.rng.choice(self.favourites)

    def careless(self) -> bool:
        return self.shape.careless > 0 and self.rng.random() < self.shape.careless

    def remembered(self, syms: list[str], pop: bool = False) -> str:
        """The symbol this user's state suggests, or (a careless command) any favourite."""
        if not syms or self.careless():
            return self.sym()
        return syms.pop() if pop else syms[-1]

    def trigger_price(self, sym: str, factor_low: float, factor_high: float) -> str:
        price = fixed_price_cents(sym) * self.rng.uniform(factor_low, factor_high)
        return dollars(max(1, round(price)))

    def line(self, command: str) -> str:
        rng, user = self.rng, self.name
        if command == "ADD":
            amount = rng.randint(100_00, 100_000_00)
            if rng.random() < 0.001:  # real files carry the odd value the rules refuse
                return f"ADD,{user},-{dollars(amount)}"
            return f"ADD,{user},{dollars(amount)}"
        if command in ("QUOTE",):
            return f"QUOTE,{user},{self.sym()}"
        if command == "BUY":
            sym = self.sym()
            self.held.append(sym)
            return f"BUY,{user},{sym},{dollars(rng.randint(*self.shape.buy_cents))}"
        if command == "SELL":
            sym = rng.choice(self.held) if self.held and not self.careless() else self.sym()
            return f"SELL,{user},{sym},{dollars(rng.randint(*self.shape.sell_cents))}"
        if command == "SET_BUY_AMOUNT":
            sym = self.sym()
            self.buy_orders.append(sym)
            return f"SET_BUY_AMOUNT,{user},{sym},{dollars(rng.randint(10_00, 1_000_00))}"
        if command == "SET_BUY_TRIGGER":
            sym = self.remembered(self.buy_orders)
            return f"SET_BUY_TRIGGER,{user},{sym},{self.trigger_price(sym, 0.85, 1.0)}"
        if command == "SET_SELL_AMOUNT":
            sym = rng.choice(self.held) if self.held and not self.careless() else self.sym()
            self.sell_orders.append(sym)
            return f"SET_SELL_AMOUNT,{user},{sym},{dollars(rng.randint(10_00, 500_00))}"
        if command == "SET_SELL_TRIGGER":
            sym = self.remembered(self.sell_orders)
            return f"SET_SELL_TRIGGER,{user},{sym},{self.trigger_price(sym, 1.0, 1.15)}"
        if command == "CANCEL_SET_BUY":
            sym = self.remembered(self.buy_orders, pop=True)
            return f"CANCEL_SET_BUY,{user},{sym}"
        if command == "CANCEL_SET_SELL":
            sym = self.remembered(self.sell_orders, pop=True)
            return f"CANCEL_SET_SELL,{user},{sym}"
        return f"{command},{user}"

    def commands(self, count: int) -> list[str]:
        out = [self.line("ADD")]
        weights = [w for w, _ in ACTIONS]
        while len(out) < count:
            ((_, action),) = self.rng.choices(ACTIONS, weights=weights)
            for command in action:
                if len(out) < count:
                    out.append(self.line(command))
        return out


def generate(
    users: int, per_user: int, seed: int, dumplog: str = "./testLOG", shape: str = "classic"
) -> Iterator[str]:
    rng = random.Random(seed)
    form = SHAPES[shape]
    syms = symbols(rng, form.symbols)
    scripts = [UserScript(rng, username(rng), syms, form).commands(per_user) for _ in range(users)]
    cursors = [0] * users
    remaining = [i for i in range(users) if scripts[i]]
    n = 0
    while remaining:
        # Interleave: pick a user at random and emit a short burst of their next commands.
        pick = rng.randrange(len(remaining))
        user = remaining[pick]
        burst = rng.randint(1, 3)
        for _ in range(burst):
            if cursors[user] == len(scripts[user]):
                break
            n += 1
            yield f"[{n}] {scripts[user][cursors[user]]}"
            cursors[user] += 1
        if cursors[user] == len(scripts[user]):
            remaining[pick] = remaining[-1]
            remaining.pop()
    yield f"[{n + 1}] DUMPLOG,{dumplog}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--commands-per-user", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dumplog", default="./testLOG", help="the DUMPLOG's file name")
    parser.add_argument(
        "--shape", choices=sorted(SHAPES), default="classic", help="how users behave (see above)"
    )
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    out = args.output.open("w") if args.output else sys.stdout
    try:
        lines = generate(args.users, args.commands_per_user, args.seed, args.dumplog, args.shape)
        for line in lines:
            out.write(line + "\n")
    finally:
        if args.output:
            out.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
