"""A validator as an operating-system process: the same replica over real TCP.

Lesson: "transport-agnostic" made concrete, and made to survive a hostile network.
:class:`~zkpot_ref.ledger.replica.Replica` says *what* to send and which timers to set;
this module does it with asyncio — one listening socket, one outgoing connection per
peer, and the event loop's ``call_later`` for timers. Nothing about consensus lives here;
what does live here is every bound a public port needs.

Connections. Every connection starts with the handshake of ``handshake.py``: a node
dials each peer and proves who it is; it accepts connections and makes the dialer prove
who *it* is. Only then are frames read, and each is handed to the replica together with
the authenticated sender (``Replica.receive(data, origin)``). One inbound connection per
peer: a newer authenticated one replaces the older (the peer restarted).

Wire format after the handshake: a 4-byte big-endian length, then the bytes of
``messages.encode``; a length above ``MAX_MESSAGE_BYTES`` closes the connection.

Bounds (each tested by ``tests/ledger/test_hostile.py``, see ``docs/ledger_faults.md``):

- **accepting**: at most ``CONNECT_RATE`` new connections a second (a token bucket);
  more wait in the kernel's backlog, so a connection flood costs the flooder, not us;
- **strangers**: at most ``MAX_PENDING`` connections that have not finished the
  handshake — the next one evicts the oldest — and each has ``HANDSHAKE_TIMEOUT``
  seconds to finish; a stranger is never sent more than a HELLO;
- **frames**: once a frame's first byte arrived, the rest must come within
  ``FRAME_TIMEOUT`` (a half-written frame cannot hold a connection), and an
  authenticated peer silent for ``idle_timeout`` is disconnected;
- **per peer**: ``PEER_RATE`` messages a second (burst ``PEER_BURST``), beyond that we
  stop reading for a while (backpressure); at most ``OUTBOX_MESSAGES`` /
  ``OUTBOX_BYTES`` queued for it, the oldest dropped first;
- **log lines**: dropped input is counted and throttled (``guards.Throttle``); a summary
  is logged when the node stops;
- **shutdown**: the node yields to the event loop after every frame, so SIGTERM is
  handled at once under any load; stopping cancels every task and closes the log.

Durability: the node's :class:`~zkpot_ref.ledger.log.BlockLog` (``blocks.log`` in its
data directory) receives every decided block and lock state before messages leave;
``start`` replays *and verifies* it (``recovery.py``) before the node listens. A log
that fails to append (disk full, I/O error) stops the node with one error line.

``zkpot node --init DIR --validators 4`` writes a cluster's configs (``config.py``);
``zkpot node --config DIR/node0.json`` runs one node (Ctrl-C or SIGTERM stops it).

Read next: ``../fl/data.py`` (part 8, federated learning); the chapters ``docs/ledger_node.md`` and
``docs/ledger_faults.md`` run this module.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
from collections.abc import Callable
from pathlib import Path

from zkpot_ref.errors import MalformedInput, StoreError, ZkpotError
from zkpot_ref.ledger import handshake
from zkpot_ref.ledger.app import ZkpotApp
from zkpot_ref.ledger.config import MAX_VALIDATORS, NodeConfig, check_port, load_config
from zkpot_ref.ledger.config import write_configs as write_configs
from zkpot_ref.ledger.guards import Outbox, Throttle, TokenBucket
from zkpot_ref.ledger.log import BlockLog
from zkpot_ref.ledger.messages import MAX_MESSAGE_BYTES
from zkpot_ref.ledger.replica import Effects, Replica

CONNECT_RATE, CONNECT_BURST, BACKLOG = 20.0, 40.0, 64
MAX_PENDING = 16
HANDSHAKE_TIMEOUT = 2.0
FRAME_TIMEOUT = 5.0
PEER_RATE, PEER_BURST = 400.0, 800.0
OUTBOX_MESSAGES, OUTBOX_BYTES = 1024, 8 << 20
WRITE_TIMEOUT = 10.0
_GONE = (OSError, EOFError, TimeoutError, MalformedInput)  # includes IncompleteReadError


class _FrameTimeout(TimeoutError):
    """A frame began but did not end within FRAME_TIMEOUT."""


class Node:
    """One validator process: a Replica, a BlockLog, and guarded asyncio sockets."""

    def __init__(self, config: NodeConfig, app: object | None = None) -> None:
        """``app``: the replica's Application (default: the dummy round of ``app.py``;
        ``chain.node_app`` gives the real one for a config with a round_dir)."""
        self.config = config
        self.logger = logging.getLogger(f"zkpot.node{config.index}")
        self.throttle = Throttle(burst=config.log_burst)
        self.logger.addFilter(self.throttle)
        self.identity = handshake.Identity(
            config.index, config.secret, config.validators,
            handshake.chain_digest(config.chain_id, config.validators),
        )  # fmt: skip
        self.block_log = BlockLog(config.data_dir / "blocks.log")
        self.replica = Replica(
            index=config.index, secret=config.secret, validators=config.validators,
            app=app or ZkpotApp(config.validators), log=self.block_log,
            timeouts=config.timeouts,
            logger=self.logger, pause=config.pause,
        )  # fmt: skip
        self.peers = [i for i in range(config.validators.n) if i != config.index]
        self.outboxes = {i: Outbox(OUTBOX_MESSAGES, OUTBOX_BYTES) for i in self.peers}
        self.idle_timeout = max(30.0, 20 * config.tick)
        # per peer, not per connection: reconnecting must not refill the bucket
        self.buckets = {i: TokenBucket(PEER_RATE, PEER_BURST) for i in self.peers}
        self.tasks: set[asyncio.Task] = set()  # accept loop, senders, ticker
        self.pending: dict[asyncio.Task, None] = {}  # strangers, oldest first
        self.inbound: dict[int, asyncio.Task] = {}  # authenticated peer -> its reader
        self.stopping = False
        self.fatal: ZkpotError | None = None
        self.stop: asyncio.Event | None = None

    async def run(self, stop: asyncio.Event) -> None:
        self.stop = stop
        try:
            effects = self.replica.start()  # replay and verify the log before listening
            host, port = self.config.addresses[self.config.index]
            listener = self._listen(host, port)
        except BaseException:
            self.block_log.close()
            raise
        self.tasks = {asyncio.create_task(self._sender(i)) for i in self.peers}
        self.tasks |= {asyncio.create_task(self._accept(listener)),
                       asyncio.create_task(self._ticker())}  # fmt: skip
        self.logger.info("validator %d listening on %s:%d", self.config.index, host, port)
        self._apply(effects)
        try:
            await stop.wait()
        finally:
            self.stopping = True  # no more input reaches the replica
            everything = self.tasks | set(self.pending) | set(self.inbound.values())
            for task in everything:
                task.cancel()
            listener.close()
            await asyncio.wait(everything, timeout=1.0)
            self.block_log.close()
            self.logger.info("stopped at height %d", self.replica.height)
            for line in self.throttle.summary():
                self.logger.info("input turned away since the start: %s", line)
        if self.fatal is not None:
            raise self.fatal

    def _listen(self, host: str, port: int) -> socket.socket:
        try:
            listener = socket.create_server((host, port), backlog=BACKLOG)
        except OSError as exc:
            raise MalformedInput(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        listener.setblocking(False)
        return listener

    # ---------------------------------------------------------------- effects
    def _apply(self, effects: Effects) -> None:
        loop = asyncio.get_running_loop()
        for timer in effects.timers:
            loop.call_later(timer.delay, self._guarded, self.replica.timeout, timer)
        for destination, data in effects.sends:
            for peer in self.peers if destination is None else [destination]:
                if peer in self.outboxes and self.outboxes[peer].put(data):
                    self.logger.info("dropped the oldest message queued for validator %d "
                                     "(it is not reading)", peer)  # fmt: skip

    def _guarded(self, handler: Callable[..., Effects], *args: object) -> None:
        """Run a replica handler; bad input is logged and the node keeps running, but a
        failing block log stops it (it can no longer keep its promises)."""
        if self.stopping:
            return
        try:
            self._apply(handler(*args))
        except StoreError as exc:
            self.fatal = exc
            self.stopping = True
            if self.stop is not None:
                self.stop.set()
        except ZkpotError as exc:
            self.logger.info("refused input: %s", exc)
        except Exception:  # noqa: BLE001 - a validator must not die of one bad message
            self.logger.exception("error while handling input (dropped)")

    # ---------------------------------------------------------------- incoming
    async def _accept(self, listener: socket.socket) -> None:
        """Accept connections, at most CONNECT_RATE a second; the rest wait in the backlog."""
        loop = asyncio.get_running_loop()
        bucket = TokenBucket(CONNECT_RATE, CONNECT_BURST)
        while True:
            await asyncio.sleep(bucket.take())
            connection, _ = await loop.sock_accept(listener)
            task = asyncio.create_task(self._inbound(connection))
            self.pending[task] = None
            if len(self.pending) > MAX_PENDING:
                oldest = next(iter(self.pending))
                self.pending.pop(oldest)
                oldest.cancel()
                self.logger.info("dropped a connection still in its handshake: more than "
                                 "%d strangers at once", MAX_PENDING)  # fmt: skip

    async def _inbound(self, connection: socket.socket) -> None:
        """Authenticate one incoming connection, then read its frames."""
        task, writer, peer = asyncio.current_task(), None, None
        try:
            reader, writer = await asyncio.open_connection(sock=connection)
            async with asyncio.timeout(HANDSHAKE_TIMEOUT):
                peer = await handshake.accept(reader, writer, self.identity)
                await writer.drain()
            self.pending.pop(task, None)  # type: ignore[arg-type]
            older = self.inbound.pop(peer, None)
            if older is not None:  # the peer reconnected: one connection per peer
                older.cancel()
                self.logger.info("dropped the older connection from validator %d: it "
                                 "connected again", peer)  # fmt: skip
            self.inbound[peer] = task  # type: ignore[assignment]
            await self._read_frames(peer, reader)
        except _GONE as exc:
            self._log_gone(peer, exc)
        finally:
            self.pending.pop(task, None)  # type: ignore[arg-type]
            if peer is not None and self.inbound.get(peer) is task:
                del self.inbound[peer]
            if writer is not None:
                writer.close()
            else:
                connection.close()

    def _log_gone(self, peer: int | None, exc: BaseException) -> None:
        """One line (throttled: one template per kind of reason) for a lost connection."""
        log = self.logger.info
        if peer is None and isinstance(exc, TimeoutError):
            log("dropped a connection: no handshake within %.0f s", HANDSHAKE_TIMEOUT)
        elif peer is None and isinstance(exc, MalformedInput):
            log("dropped a connection: handshake failed: %s", exc)
        elif peer is None:
            log("dropped a connection: it closed during the handshake")
        elif isinstance(exc, _FrameTimeout):
            log("dropped the connection from validator %d: a frame took more than %.0f s",
                peer, FRAME_TIMEOUT)  # fmt: skip
        elif isinstance(exc, TimeoutError):
            log("dropped the connection from validator %d: silent for %.0f s", peer,
                self.idle_timeout)  # fmt: skip
        elif isinstance(exc, MalformedInput):
            log("dropped the connection from validator %d: %s", peer, exc)

    async def _read_frames(self, peer: int, reader: asyncio.StreamReader) -> None:
        bucket = self.buckets[peer]
        while True:
            async with asyncio.timeout(self.idle_timeout):
                first = await reader.readexactly(1)
            try:
                async with asyncio.timeout(FRAME_TIMEOUT):
                    length = int.from_bytes(first + await reader.readexactly(3), "big")
                    if length > MAX_MESSAGE_BYTES:
                        raise MalformedInput(
                            f"frame of {length} bytes exceeds {MAX_MESSAGE_BYTES}")
                    data = await reader.readexactly(length)
            except TimeoutError:
                raise _FrameTimeout from None
            self._guarded(self.replica.receive, data, peer)
            await asyncio.sleep(bucket.take())  # yields every frame; waits when flooded

    # ---------------------------------------------------------------- outgoing
    async def _sender(self, peer: int) -> None:
        """Keep one authenticated connection to ``peer`` open and write its outbox into it."""
        host, port = self.config.addresses[peer]
        outbox = self.outboxes[peer]
        while True:
            writer = None
            try:
                async with asyncio.timeout(HANDSHAKE_TIMEOUT):
                    reader, writer = await asyncio.open_connection(host, port)
                    await handshake.dial(reader, writer, self.identity, peer)
                while True:
                    data = await outbox.get()
                    writer.write(len(data).to_bytes(4, "big") + data)
                    async with asyncio.timeout(WRITE_TIMEOUT):
                        await writer.drain()
            except _GONE as exc:
                if isinstance(exc, MalformedInput):  # someone else answered: say so
                    self.logger.info("refused connection to validator %d: %s", peer, exc)
            finally:
                if writer is not None:
                    writer.close()
            await asyncio.sleep(self.config.tick)  # down or gone: try again soon

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(self.config.tick)
            self._guarded(self.replica.tick)


# -------------------------------------------------------------------- the command line
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="this node's JSON configuration file")
    parser.add_argument("--init", metavar="DIR", help="write configs for a local cluster")
    parser.add_argument("--validators", type=int, default=None,
                        help=f"with --init: n, 1..{MAX_VALIDATORS} (default 4)")  # fmt: skip
    parser.add_argument("--base-port", type=int, default=None,
                        help="with --init: the first port (default 26600)")
    parser.add_argument("--force", action="store_true",
                        help="with --init: replace a cluster already in DIR (and its logs)")
    parser.add_argument("--round-dir", default=None, metavar="DIR",
                        help="with --init: a federation's directory (zkpot demo --out): the "
                        "nodes commit its real ZKPoT rounds")


def validate(args: argparse.Namespace) -> None:
    """Check the options before any work; ``MalformedInput`` names the first problem."""
    if args.init is None and args.config is None:
        raise MalformedInput("give --config FILE (or --init DIR to write a cluster's configs)")
    if args.init is not None and args.config is not None:
        raise MalformedInput("give either --config FILE or --init DIR, not both")
    if args.init is None:
        given = [name for name in ("validators", "base_port", "force", "round_dir")
                 if getattr(args, name, None) not in (None, False)]  # fmt: skip
        if given:
            raise MalformedInput(f"--{given[0].replace('_', '-')} works only with --init")
        return
    n = 4 if args.validators is None else args.validators
    base = 26600 if args.base_port is None else args.base_port
    if not 1 <= n <= MAX_VALIDATORS:
        raise MalformedInput(f"--validators {n}: choose 1..{MAX_VALIDATORS}")
    check_port(base, "--base-port")
    check_port(base + n - 1, f"--base-port {base} with {n} validators: the last port")
    if not args.init:
        raise MalformedInput("--init needs a directory")
    round_dir = getattr(args, "round_dir", None)
    if round_dir is not None and not (Path(round_dir) / "genesis.json").is_file():
        raise MalformedInput(f"--round-dir {round_dir} holds no genesis.json (zkpot demo --out)")


def run(args: argparse.Namespace,
        app_for: Callable[[NodeConfig], object | None] | None = None) -> int:
    """The command; ``app_for(config)`` may supply the replica's Application."""
    validate(args)
    if args.init is not None:
        n = 4 if args.validators is None else args.validators
        base = 26600 if args.base_port is None else args.base_port
        extra = {}
        if getattr(args, "round_dir", None):
            extra["round_dir"] = str(Path(args.round_dir).resolve())
        for path in write_configs(Path(args.init), n, [base + i for i in range(n)],
                                  force=args.force, **extra):  # fmt: skip
            print(path)
        return 0
    config = load_config(args.config)
    handler = logging.StreamHandler()  # the node's log lines go to stderr
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logger = logging.getLogger("zkpot")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await Node(config, app_for(config) if app_for else None).run(stop)

    try:
        asyncio.run(main())
    finally:
        logger.removeHandler(handler)
    return 0
