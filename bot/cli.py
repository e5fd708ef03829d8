"""The ``bot`` command (console script): run, train, chat, and the staff tools."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def _callbacks(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.directory.callbacks import list_requests, mark_done

    settings = load_settings()
    if args.action == "erledigt":
        if args.id is None:
            print("Bitte die Nummer angeben: bot rueckrufe erledigt 12", file=sys.stderr)
            return 2
        if not mark_done(settings.callback_db, args.id):
            print(f"Rückrufbitte R-{args.id} gibt es nicht oder sie ist schon erledigt.", file=sys.stderr)
            return 1
        print(f"R-{args.id} als erledigt markiert – Name und Kontakt sind gelöscht.")
        return 0
    requests = list_requests(settings.callback_db, settings.callback_retention_days)
    if not requests:
        print("Keine offenen Rückrufbitten.")
    for r in requests:
        print(f"R-{r.id}  {r.created_at[:16].replace('T', ' ')}  {r.name}  {r.contact}\n"
              f"       Thema: {r.topic}  Ort: {r.place}  zuständig: {r.responsible or '–'}")
    return 0


def _directory() -> int:
    from bot.directory.build import main as build_main
    from bot.directory.generate import main as generate_main

    return build_main([]) or generate_main([])


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bot", description="Gründungslotse – Werkzeuge")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="Rasa- und Aktionsserver starten (trainiert bei Bedarf)")
    train = commands.add_parser(
        "train", help="prüfen, trainieren (nur bei Änderungen), Gesprächstests – erst dann wird das Modell aktiv")
    train.add_argument("--force", action="store_true")
    commands.add_parser("chat", help="im Terminal mit dem laufenden Bot chatten")
    commands.add_parser("pipeline", help="deutsche spaCy-Pipeline bauen")
    commands.add_parser("verzeichnis", help="Kontaktverzeichnis (SQLite) und Ortsdaten aus data/directory/ bauen")
    callbacks = commands.add_parser("rueckrufe", help="Rückrufbitten anzeigen oder als erledigt markieren")
    callbacks.add_argument("action", nargs="?", choices=["liste", "erledigt"], default="liste")
    callbacks.add_argument("id", nargs="?", type=int)
    commands.add_parser("inbox", help="unbeantwortete und 👎-bewertete Fragen: anzeigen, zuordnen, verwerfen")
    commands.add_parser("reload", help="neues Modell in den laufenden Bot laden (ohne Gespräche zu verlieren)")
    commands.add_parser("check", help="Daten prüfen (Rasa + Redaktionsregeln), Fehler mit Datei und Zeile")
    commands.add_parser("report", help="NLU-Qualitätsbericht (HTML) aus der Kreuzvalidierung")
    commands.add_parser("nutzer", help="Nutzer der Redaktionskonsole: bot nutzer anlegen NAME --name … --email …")
    args, options = parser.parse_known_args(argv)
    if options and args.command not in ("check", "report", "inbox", "reload", "nutzer"):
        parser.error(f"unbekannte Angaben: {' '.join(options)}")

    if args.command == "run":
        from bot.serve import main as serve_main

        return serve_main([])
    if args.command == "train":
        from bot.staff.guarded_train import main as train_main

        return train_main(["--force"] if args.force else [])
    if args.command == "inbox":
        from bot.staff.inbox import main as inbox_main

        return inbox_main(options)
    if args.command == "nutzer":
        from bot.redaktion.users_cli import main as users_main

        return users_main(options)
    if args.command == "reload":
        from bot.staff.reload import main as reload_main

        return reload_main(options)
    if args.command == "chat":
        from bot.chat import main as chat_main

        return chat_main()
    if args.command == "pipeline":
        from bot.nlp.build_pipeline import main as pipeline_main

        return pipeline_main([])
    if args.command == "verzeichnis":
        return _directory()
    if args.command == "rueckrufe":
        return _callbacks(args)
    if args.command == "check":
        from bot.staff.check import main as check_main

        return check_main(options)
    if args.command == "report":
        from bot.staff.report import main as report_main

        return report_main(options)
    return 2


if __name__ == "__main__":
    sys.exit(main())
