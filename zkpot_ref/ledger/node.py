"""A validator as an operating-system process: the same replica over real TCP.

Lesson: "transport-agnostic" made concrete. :class:`~zkpot_ref.ledger.replica.Replica`
says *what* to send and which timers to set; this module does it with asyncio — one
server socket for incoming connections, one outgoing connection per peer, and the event
loop's ``call_later`` for timers. Nothing about consensus lives here.

Wire format: each message is a 4-byte big-endian length followed by the bytes of
``messages.encode``. A length above ``MAX_MESSAGE_BYTES`` closes the connection (a peer
that lies about lengths gets no buffer from us); a message that does not decode, has a
bad signature or the wrong height is dropped by the replica with one log line. A peer
that is down simply misses messages: its outgoing queue is bounded and drops the oldest,
and the replica's gossip (``tick``) re-sends what matters once it is back.

Durability: the node's :class:`~zkpot_ref.ledger.log.BlockLog` (``blocks.log`` in its
data directory) receives every decided block and every lock state before messages leave,
so ``kill -9`` loses nothing that was committed; on restart the replica replays it and
catches up on the blocks it missed through STATUS/COMMIT.

Configuration (JSON, one file per node; :func:`write_configs` makes a local cluster)::

    {"version": 1, "index": 0, "secret_key": "<hex>", "data_dir": "node0",
     "tick": 0.2, "pause": 0.1, "timeouts": {"propose": 1.0, ...},
     "validators": [{"public_key": "<hex>", "host": "127.0.0.1", "port": 26600}, ...]}

``zkpot node --init DIR --validators 4`` writes such files; ``zkpot node --config
DIR/node0.json`` runs one node (Ctrl-C or SIGTERM stops it cleanly).

Read next: ``docs/ledger_node.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from dataclasses import dataclass
from pathlib import Path

from zkpot_ref.errors import MalformedInput, ZkpotError
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.app import ZkpotApp
from zkpot_ref.ledger.log import BlockLog
from zkpot_ref.ledger.messages import DEFAULT_TIMEOUTS, MAX_MESSAGE_BYTES, Timeouts, Validators
from zkpot_ref.ledger.replica import Effects, Replica

CONFIG_VERSION = 1
#: Messages waiting for a peer; when it is down the oldest are dropped.
OUTBOX_SIZE = 1024


@dataclass(frozen=True)
class NodeConfig:
    index: int
    secret: bytes
    data_dir: Path
    addresses: tuple[tuple[str, int], ...]  # (host, port) per validator
    validators: Validators
    tick: float = 0.2
    pause: float = 0.1
    timeouts: Timeouts = DEFAULT_TIMEOUTS


def load_config(path: str | Path) -> NodeConfig:
    """Read and check a node's JSON configuration; ``MalformedInput`` says what is wrong."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise MalformedInput(f"cannot read node config {path}: {exc.strerror}") from None
    try:
        raw = json.loads(text)
        if raw.get("version") != CONFIG_VERSION:
            raise MalformedInput(f"config version {raw.get('version')}, expected 1")
        entries = raw["validators"]
        keys = tuple(bytes.fromhex(v["public_key"]) for v in entries)
        addresses = tuple((str(v.get("host", "127.0.0.1")), int(v["port"])) for v in entries)
        index, secret = int(raw["index"]), bytes.fromhex(raw["secret_key"])
        data_dir = path.parent / raw["data_dir"]
        timeouts = Timeouts(**raw.get("timeouts", {}))
        tick, pause = float(raw.get("tick", 0.2)), float(raw.get("pause", 0.1))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MalformedInput(f"node config {path}: {exc!r}") from None
    if not 0 <= index < len(keys) or any(len(k) != 32 for k in keys) or len(secret) != 32:
        raise MalformedInput(f"node config {path}: index or key lengths out of range")
    if signatures.public_key(secret) != keys[index]:
        raise MalformedInput(f"node config {path}: secret_key is not validator {index}'s key")
    return NodeConfig(index, secret, data_dir, addresses, Validators(keys), tick, pause, timeouts)


def write_configs(directory: str | Path, n: int, ports: list[int], **options: object) -> list[Path]:
    """Write ``node0.json`` .. for a local cluster of ``n`` validators on 127.0.0.1 with
    fresh random keys; ``options`` (tick, pause, timeouts) go into every file."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    keys = [signatures.generate_keypair() for _ in range(n)]
    validators = [
        {"public_key": public.hex(), "host": "127.0.0.1", "port": port}
        for (_, public), port in zip(keys, ports, strict=True)
    ]
    paths = []
    for i, (secret, _) in enumerate(keys):
        config = {"version": CONFIG_VERSION, "index": i, "secret_key": secret.hex(),
                  "data_dir": f"node{i}", "validators": validators, **options}  # fmt: skip
        paths.append(directory / f"node{i}.json")
        paths[-1].write_text(json.dumps(config, indent=2))
    return paths


class Node:
    """One validator process: a Replica, a BlockLog, and asyncio sockets."""

    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self.logger = logging.getLogger(f"zkpot.node{config.index}")
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.block_log = BlockLog(config.data_dir / "blocks.log")
        self.replica = Replica(
            index=config.index,
            secret=config.secret,
            validators=config.validators,
            app=ZkpotApp(config.validators),
            log=self.block_log,
            timeouts=config.timeouts,
            logger=self.logger,
            pause=config.pause,
        )
        self.peers = [i for i in range(config.validators.n) if i != config.index]
        self.outboxes: dict[int, asyncio.Queue[bytes]] = {}
        self.tasks: set[asyncio.Task] = set()  # senders, ticker, connection handlers
        self.stopping = False

    async def run(self, stop: asyncio.Event) -> None:
        host, port = self.config.addresses[self.config.index]
        try:
            server = await asyncio.start_server(self._serve, host, port)
        except OSError as exc:
            self.block_log.close()
            raise MalformedInput(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.outboxes = {i: asyncio.Queue(OUTBOX_SIZE) for i in self.peers}
        self.tasks |= {asyncio.create_task(self._sender(i)) for i in self.peers}
        self.tasks.add(asyncio.create_task(self._ticker()))
        self.logger.info("validator %d listening on %s:%d", self.config.index, host, port)
        self._apply(self.replica.start())
        try:
            await stop.wait()
        finally:
            self.stopping = True  # no more input reaches the replica
            server.close()
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            self.block_log.close()
            self.logger.info("stopped at height %d", self.replica.height)

    # ---------------------------------------------------------------- effects
    def _apply(self, effects: Effects) -> None:
        loop = asyncio.get_running_loop()
        for timer in effects.timers:
            loop.call_later(timer.delay, self._guarded, self.replica.timeout, timer)
        for destination, data in effects.sends:
            for peer in self.peers if destination is None else [destination]:
                if peer in self.outboxes:
                    outbox = self.outboxes[peer]
                    if outbox.full():
                        outbox.get_nowait()  # the peer is down or slow: drop the oldest
                    outbox.put_nowait(data)

    def _guarded(self, handler, argument) -> None:  # noqa: ANN001
        """Run a replica handler; a bug or refusal is logged, the node keeps running."""
        if self.stopping:
            return
        try:
            self._apply(handler(argument))
        except ZkpotError as exc:
            self.logger.info("refused input: %s", exc)
        except Exception:  # noqa: BLE001 - a validator must not die of one bad message
            self.logger.exception("error while handling input (dropped)")

    # ---------------------------------------------------------------- sockets
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read length-prefixed messages from one incoming connection."""
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        try:
            while True:
                length = int.from_bytes(await reader.readexactly(4), "big")
                if length > MAX_MESSAGE_BYTES:
                    self.logger.info("dropped connection: frame of %d bytes exceeds %d",
                                     length, MAX_MESSAGE_BYTES)  # fmt: skip
                    break
                self._guarded(self.replica.receive, await reader.readexactly(length))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the peer hung up, or we are stopping
        finally:
            writer.close()
            self.tasks.discard(task)  # type: ignore[arg-type]

    async def _sender(self, peer: int) -> None:
        """Keep one connection to ``peer`` open and write its outbox into it."""
        host, port = self.config.addresses[peer]
        while True:
            try:
                _, writer = await asyncio.open_connection(host, port)
            except OSError:
                await asyncio.sleep(self.config.tick)  # not up yet: try again
                continue
            try:
                while True:
                    data = await self.outboxes[peer].get()
                    writer.write(len(data).to_bytes(4, "big") + data)
                    await writer.drain()
            except (ConnectionError, OSError):
                writer.close()  # it went away: reconnect; gossip re-sends what matters

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(self.config.tick)
            self._guarded(lambda _: self.replica.tick(), None)


# -------------------------------------------------------------------- the command line
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="this node's JSON configuration file")
    parser.add_argument("--init", metavar="DIR", help="write configs for a local cluster")
    parser.add_argument("--validators", type=int, default=4, help="with --init: n")
    parser.add_argument("--base-port", type=int, default=26600, help="with --init")


def run(args: argparse.Namespace) -> int:
    if args.init:
        ports = [args.base_port + i for i in range(args.validators)]
        for path in write_configs(args.init, args.validators, ports):
            print(path)
        return 0
    if not args.config:
        raise MalformedInput("give --config FILE (or --init DIR to write a cluster's configs)")
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
        await Node(config).run(stop)

    try:
        asyncio.run(main())
    finally:
        logger.removeHandler(handler)
    return 0
