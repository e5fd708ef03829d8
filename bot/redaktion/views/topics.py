"""Topics: list with Stand age, owner and ratings; edit answers per Land, examples; new topics."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from bot.redaktion import topics as T
from bot.redaktion.auth import login_required
from bot.redaktion.changes import Conflict
from bot.redaktion.topic_rules import LAENDER, MAX_CORE_CHARS, current_month, month_label, validate_topic_file
from bot.redaktion.views.common import form_int, saved, settings, show_refusal, user, workspace
from bot.redaktion.yamlfile import EditRefused
from bot.staff.inbox_store import rating_counts

bp = Blueprint("topics", __name__)


def _ratings() -> Dict[str, Any]:
    try:
        return rating_counts(settings().inbox_db)
    except Exception:  # noqa: BLE001 – a missing inbox must not hide the topics
        return {}


@bp.route("/")
@bp.route("/themen")
@login_required
def overview() -> Any:
    topics, broken = T.read_all(settings().root)
    ratings = _ratings()
    rows = []
    for topic in topics:
        age = T.months_old(topic.stand)
        good, bad = ratings.get(f"faq/{topic.name}", ratings.get(topic.name, (0, 0)))
        rows.append({"topic": topic, "age": age, "stale": age is None or age > T.STALE_WARN_MONTHS,
                     "stand_label": month_label(topic.stand) if topic.stand else "–", "good": good, "bad": bad})
    order = request.args.get("sortierung", "stand")
    if order == "name":
        rows.sort(key=lambda r: r["topic"].title.lower())
    elif order == "bewertung":
        rows.sort(key=lambda r: (-r["bad"], r["topic"].title.lower()))
    else:
        rows.sort(key=lambda r: (-(r["age"] if r["age"] is not None else 999), r["topic"].title.lower()))
    return render_template("topics.html", rows=rows, broken=broken, order=order,
                           stale_count=sum(r["stale"] for r in rows), warn_months=T.STALE_WARN_MONTHS)


def _topic_or_404(name: str) -> T.Topic:
    try:
        return T.read_topic(settings().root, name)
    except EditRefused:
        abort(404)


def _render_topic(topic: T.Topic, pending: Optional[Dict[str, Any]] = None, status: int = 200) -> Any:
    """The edit page; after a refused save the person's input stays in the fields (422), after a
    conflict the fields show the current file and the input is shown beside it (409)."""
    return render_template("topic.html", topic=topic, pending=pending or {}, max_chars=MAX_CORE_CHARS,
                           keep_input=status == 422,
                           month=month_label(current_month()), laender=LAENDER,
                           stand_label=lambda s: month_label(s) if s else "–"), status


@bp.route("/themen/<name>")
@login_required
def edit(name: str) -> Any:
    return _render_topic(_topic_or_404(name))


def _validator(name: str) -> Any:
    return lambda text: validate_topic_file(settings().root, name, text)


@bp.route("/themen/<name>/antworten", methods=["POST"])
@login_required
def save_answers(name: str) -> Any:
    topic = _topic_or_404(name)
    answers: List[T.AnswerInput] = []
    pending: Dict[str, Any] = {}
    try:
        for variant in topic.variants:
            i = variant.index
            if f"kern-{i}" not in request.form:
                continue
            pending[f"kern-{i}"] = request.form.get(f"kern-{i}", "")
            pending[f"quellen-{i}"] = request.form.get(f"quellen-{i}", "")
            sources = T.parse_sources(pending[f"quellen-{i}"], f"Quellen ({variant.label})")
            answers.append(T.AnswerInput(i, pending[f"kern-{i}"], sources, bool(request.form.get(f"geprueft-{i}"))))
        owner = request.form.get("owner")
        commit = workspace().change_file(
            user(), topic.rel, lambda text: T.save_answers(text or "", name, answers, owner),
            _validator(name), f"Antwort „{topic.title}“ geändert", "antwort-geaendert",
            expected_version=request.form.get("version", ""))
    except Conflict as error:
        show_refusal(error)
        return _render_topic(_topic_or_404(name), pending, 409)
    except EditRefused as error:
        show_refusal(error)
        return _render_topic(topic, pending, 422)
    saved(commit, "Antwort")
    return redirect(url_for("topics.edit", name=name))


@bp.route("/themen/<name>/beispiele", methods=["POST"])
@login_required
def add_example(name: str) -> Any:
    topic = _topic_or_404(name)
    example = request.form.get("beispiel", "")
    try:
        commit = workspace().change_file(
            user(), topic.rel, lambda text: T.add_example(text or "", name, example), _validator(name),
            f"Beispielfrage für „{topic.title}“ ergänzt", "beispiel-ergaenzt")
    except EditRefused as error:
        show_refusal(error)
        return _render_topic(_topic_or_404(name), {"beispiel": example}, 422)
    saved(commit, "Beispielfrage")
    return redirect(url_for("topics.edit", name=name) + "#beispiele")


@bp.route("/themen/<name>/beispiele/entfernen", methods=["POST"])
@login_required
def remove_example(name: str) -> Any:
    topic = _topic_or_404(name)
    example = request.form.get("beispiel", "")
    try:
        commit = workspace().change_file(
            user(), topic.rel, lambda text: T.remove_example(text or "", name, example), _validator(name),
            f"Beispielfrage aus „{topic.title}“ entfernt", "beispiel-entfernt")
    except EditRefused as error:
        show_refusal(error)
        return redirect(url_for("topics.edit", name=name) + "#beispiele")
    flash(f"„{example}“ entfernt" + (f" (Version {commit[:7]})." if commit else "."), "success")
    return redirect(url_for("topics.edit", name=name) + "#beispiele")


@bp.route("/themen/<name>/varianten", methods=["POST"])
@login_required
def add_variant(name: str) -> Any:
    topic = _topic_or_404(name)
    land = request.form.get("land", "")
    try:
        commit = workspace().change_file(
            user(), topic.rel, lambda text: T.add_variant(text or "", name, land), _validator(name),
            f"Variante {land} für „{topic.title}“ angelegt", "variante-angelegt",
            expected_version=request.form.get("version", ""))
    except EditRefused as error:
        show_refusal(error)
        return redirect(url_for("topics.edit", name=name))
    saved(commit, f"Variante {land} (zunächst mit der allgemeinen Antwort)")
    return redirect(url_for("topics.edit", name=name))


@bp.route("/themen/<name>/varianten/entfernen", methods=["POST"])
@login_required
def remove_variant(name: str) -> Any:
    topic = _topic_or_404(name)
    index = form_int(request.form.get("index"))
    try:
        commit = workspace().change_file(
            user(), topic.rel, lambda text: T.remove_variant(text or "", name, index), _validator(name),
            f"Variante aus „{topic.title}“ entfernt", "variante-entfernt",
            expected_version=request.form.get("version", ""))
    except EditRefused as error:
        show_refusal(error)
        return redirect(url_for("topics.edit", name=name))
    saved(commit, "Änderung")
    return redirect(url_for("topics.edit", name=name))


@bp.route("/themen/neu", methods=["GET", "POST"])
@login_required
def create() -> Any:
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        name = form.get("name", "").strip().lower()
        try:
            rel = T.rel_path(name)
            sources = T.parse_sources(form.get("quellen", ""), "Quellen")
            examples = T.parse_example_lines(form.get("beispiele", ""))
            commit = workspace().change_file(
                user(), rel,
                lambda _text: T.new_topic_text(name, form.get("titel", ""), examples, form.get("antwort", ""),
                                               sources, form.get("owner", "")),
                _validator(name), f"Neues Thema „{form.get('titel') or name}“", "thema-angelegt", create=True)
        except EditRefused as error:
            show_refusal(error)
            return render_template("topic_new.html", form=form, max_chars=MAX_CORE_CHARS), 422
        saved(commit, "Neues Thema")
        return redirect(url_for("topics.edit", name=name))
    return render_template("topic_new.html", form=form, max_chars=MAX_CORE_CHARS)
