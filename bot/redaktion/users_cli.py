"""``bot nutzer``: create the first admin (and further users) of the console from the terminal."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, Optional

from bot.config import load_settings
from bot.redaktion.settings import database_url
from bot.redaktion.store import ROLES, Store, StoreError


def _password(from_stdin: bool) -> Optional[str]:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Passwort (mindestens 10 Zeichen): ")
    return password if getpass.getpass("Passwort wiederholen: ") == password else None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bot nutzer", description="Nutzer der Redaktionskonsole verwalten.")
    commands = parser.add_subparsers(dest="action", required=True)
    create = commands.add_parser("anlegen", help="Nutzer anlegen (fragt nach dem Passwort)")
    create.add_argument("benutzername")
    create.add_argument("--name", required=True, help="voller Name (steht in der Versionsgeschichte)")
    create.add_argument("--email", required=True)
    create.add_argument("--rolle", choices=ROLES, default="admin")
    create.add_argument("--passwort-stdin", action="store_true", help="Passwort aus der Standardeingabe lesen")
    commands.add_parser("liste", help="alle Nutzer anzeigen")
    reset = commands.add_parser("passwort", help="neues Passwort setzen (z. B. wenn sich niemand mehr anmelden kann)")
    reset.add_argument("benutzername")
    reset.add_argument("--passwort-stdin", action="store_true", help="Passwort aus der Standardeingabe lesen")
    args = parser.parse_args(argv)
    store = Store(database_url(load_settings()))
    if args.action == "liste":
        for user in store.list_users():
            print(f"{user.username:20} {user.role_label:13} {'aktiv' if user.active else 'deaktiviert':12} "
                  f"{user.display_name} <{user.email}>")
        return 0
    password = _password(args.passwort_stdin)
    if password is None:
        print("Die Passwörter sind verschieden – nichts geändert.", file=sys.stderr)
        return 1
    if args.action == "passwort":
        user = next((u for u in store.list_users() if u.username == args.benutzername.strip().lower()), None)
        if user is None:
            print(f"Einen Nutzer „{args.benutzername}“ gibt es nicht (bot nutzer liste).", file=sys.stderr)
            return 1
        try:
            store.set_password(user.id, password)
        except StoreError as error:
            print(f"Nicht geändert: {error}", file=sys.stderr)
            return 1
        store.log("konsole-cli", "passwort-gesetzt", user.username)
        print(f"Neues Passwort für „{user.username}“ gesetzt; laufende Sitzungen sind beendet.")
        return 0
    try:
        user = store.create_user(args.benutzername, args.name, args.email, args.rolle, password)
    except StoreError as error:
        print(f"Nicht angelegt: {error}", file=sys.stderr)
        return 1
    store.log("konsole-cli", "nutzer-angelegt", user.username, f"Rolle {user.role}")
    print(f"Nutzer „{user.username}“ angelegt ({user.role_label}). Anmelden: /redaktion/anmelden")
    return 0


if __name__ == "__main__":
    sys.exit(main())
