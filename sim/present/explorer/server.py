"""Serve the explorer: Solara's Starlette app under uvicorn, bound to 127.0.0.1 unless told otherwise.

HR designs and organizations are private: by default only this machine can connect.
"""
from __future__ import annotations

import os

LOCAL = "127.0.0.1"
APP = "sim.present.explorer.app"


def serve(port: int = 8765, host: str = LOCAL, announce=print) -> None:
    """Run the server until interrupted (Ctrl-C)."""
    os.environ["SOLARA_APP"] = APP
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    import uvicorn
    from solara.server.starlette import app

    announce(f"mentorsim: explorer at http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
