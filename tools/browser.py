"""Open the built course site in headless Chromium, on loopback only, and see what a reader sees.

Used by tests/test_site_browser.py (the site renders offline) and benchmarks/site_load.py
(how fast a chapter is ready). Three small pieces, all standard library:

- `serve(site_dir)`: the built site over HTTP on 127.0.0.1 (a thread).
- `RefusingProxy`: an HTTP proxy on 127.0.0.1 that records every request it is asked to
  forward and refuses it. Chromium is started with it as its proxy; loopback addresses
  bypass proxies by default, so exactly the requests that would leave the machine arrive
  here, and none of them does leave (DNS is also mapped to "not found" for Chromium).
- `Browser`: Chromium driven through the DevTools protocol over a pipe
  (`--remote-debugging-pipe`: JSON messages separated by NUL bytes on file descriptors 3
  and 4), so no WebSocket client and no open debugging port are needed.

`Browser.open(url)` loads a page, waits until it is *ready* (loaded, fonts loaded, every
Mermaid diagram drawn, no formula left as TeX) and returns a `PageLoad` with the time that
took and every URL the page requested.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Chromium's own background services that phone home (not the page's requests)
QUIET_FEATURES = (
    "AutofillServerCommunication", "NetworkTimeServiceQuerying", "OptimizationHints",
    "MediaRouter", "DialMediaRouteProvider", "Translate", "CertificateTransparencyComponentUpdater",
    "InterestFeedContentSuggestions", "SafeBrowsingEnhancedProtection", "SegmentationPlatform",
)

# Resolves (in the page) to performance.now() at the moment the page is ready to read.
READY = """new Promise((resolve) => {
  const texLeft = () => [...document.querySelectorAll('.arithmatex')]
      .some((e) => /\\\\[(\\[]/.test(e.textContent));
  const mathJax = () => !window.MathJax || !MathJax.startup || !MathJax.startup.promise
      ? Promise.resolve() : MathJax.startup.promise;
  const check = () => {
    if (document.readyState === 'complete' && document.fonts.status === 'loaded'
        && !document.querySelector('pre.mermaid') && !texLeft()) {
      mathJax().then(() => document.fonts.ready).then(() => resolve(performance.now()));
    } else {
      setTimeout(check, 5);
    }
  };
  check();
})"""


def find_chromium() -> str | None:
    """The Chromium executable: $CHROMIUM, else the first of CANDIDATES on PATH; or None."""
    names = [os.environ["CHROMIUM"]] if os.environ.get("CHROMIUM") else CANDIDATES
    return next((path for name in names if (path := shutil.which(name))), None)


def _high(fd: int) -> int:
    """Move a descriptor to a number >= 10 (the old one is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve `site_dir` on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class RefusingProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on 127.0.0.1 that writes down each request line and answers 403."""

    daemon_threads = True

    def __init__(self) -> None:
        self.requests: list[str] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline(65536).decode("latin-1").strip()
                if line:
                    proxy.requests.append(line)  # e.g. "CONNECT cdn.jsdelivr.net:443 HTTP/1.1"
                self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


@dataclass
class PageLoad:
    url: str
    ready_ms: float | None  # navigation start -> ready to read (in the page); None: never
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    errors: list[str] = field(default_factory=list)  # uncaught JavaScript exceptions


class Browser:
    """Headless Chromium over the DevTools protocol (pipe transport), one tab."""

    def __init__(self, executable: str, proxy: RefusingProxy, width: int = 1280,
                 height: int = 900) -> None:
        self.profile = tempfile.mkdtemp(prefix="zkpot-chromium-")
        self.log = Path(self.profile) / "chromium.log"
        # our pipe ends, moved to descriptors >= 10 so that putting them on 3 and 4 is safe
        to_chrome_r, self._to_chrome, self._from_chrome, from_chrome_w = (
            _high(fd) for fd in (*os.pipe(), *os.pipe())
        )
        flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
            "--metrics-recording-only", "--hide-scrollbars", "--mute-audio",
            "--disable-client-side-phishing-detection", "--disable-field-trial-config",
            "--no-service-autorun", "--password-store=basic", "--use-mock-keychain",
            "--disable-search-engine-choice-screen", "--disable-breakpad",
            "--disable-features=" + ",".join(QUIET_FEATURES),
            f"--window-size={width},{height}",
            f"--proxy-server=http://{proxy.address}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "about:blank",
        ]
        # bash puts our pipe ends on descriptors 3 and 4, then becomes Chromium
        script = f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}'
        self.process = subprocess.Popen(
            ["bash", "-c", script, executable, *flags],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL, stderr=open(self.log, "wb"),  # noqa: SIM115
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self._call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable")
        self.call("Network.setCacheDisabled", cacheDisabled=True)

    # -- the protocol -------------------------------------------------------------------
    def _send(self, message: dict) -> int:
        self._next_id += 1
        message["id"] = self._next_id
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                log = self.log.read_text(errors="replace").strip().splitlines()[-5:]
                raise RuntimeError("Chromium closed the DevTools pipe: " + " | ".join(log))
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _call(self, method: str, session: str | None = None, **params: object) -> dict:
        message: dict = {"method": method, "params": params}
        if session:
            message["sessionId"] = session
        wanted = self._send(message)
        while True:
            answer = self._receive()
            if answer.get("id") == wanted:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self._events.append(answer)

    def _wait_for(self, method: str) -> None:
        while not any(event["method"] == method for event in self._events):
            answer = self._receive()
            if "method" in answer:
                self._events.append(answer)

    def call(self, method: str, **params: object) -> dict:
        """Send one DevTools command to the tab; return its result."""
        return self._call(method, self.session, **params)

    def evaluate(self, expression: str) -> object:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    # -- what a reader does -------------------------------------------------------------
    def open(self, url: str, timeout_s: float = 30.0) -> PageLoad:
        """Load `url` and wait until it is ready to read (see READY), at most `timeout_s`."""
        self._events.clear()
        self.call("Page.navigate", url=url)
        self._wait_for("Page.domContentEventFired")
        ready = self.evaluate(
            f"Promise.race([{READY}, new Promise((resolve) => "
            f"setTimeout(() => resolve(null), {int(timeout_s * 1000)}))])"
        )
        load = PageLoad(url, None if ready is None else float(ready))
        for event in self._events:
            params = event.get("params", {})
            if event["method"] == "Network.requestWillBeSent":
                load.requests.append(params["request"]["url"])
            elif event["method"] == "Runtime.exceptionThrown":
                load.errors.append(json.dumps(params["exceptionDetails"])[:500])
        return load

    def screenshot(self, path: Path, height: int = 1600) -> None:
        """Save the top `height` pixels of the page as a PNG."""
        import base64

        width = int(self.evaluate("window.innerWidth"))
        data = self.call(
            "Page.captureScreenshot", format="png", captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        )["data"]
        path.write_bytes(base64.b64decode(data))

    def document(self) -> dict:
        """The whole DOM, closed shadow roots included (Mermaid draws into one)."""
        return self.call("DOM.getDocument", depth=-1, pierce=True)["root"]

    def close(self) -> None:
        try:
            self._call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_chrome, self._from_chrome):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)
