"""The ``bot`` command (console script): run, train, chat."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bot", description="Gründungslotse – Werkzeuge")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="Rasa- und Aktionsserver starten (trainiert bei Bedarf)")
    train = commands.add_parser("train", help="Modell trainieren, falls sich Daten geändert haben")
    train.add_argument("--force", action="store_true")
    commands.add_parser("chat", help="im Terminal mit dem laufenden Bot chatten")
    commands.add_parser("pipeline", help="deutsche spaCy-Pipeline bauen")
    args = parser.parse_args(argv)

    if args.command == "run":
        from bot.serve import main as serve_main

        return serve_main([])
    if args.command == "train":
        from bot.train import main as train_main

        return train_main(["--force"] if args.force else [])
    if args.command == "chat":
        from bot.chat import main as chat_main

        return chat_main()
    if args.command == "pipeline":
        from bot.nlp.build_pipeline import main as pipeline_main

        return pipeline_main([])
    return 2


if __name__ == "__main__":
    sys.exit(main())
