"""Reads for the guidelines portal: current versions, history, acknowledgement state and caption rules."""

import difflib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from advocacy.people.models import Team, User
from advocacy.people.selectors import active_employees

from . import registry
from .models import Acknowledgement, BannedTerm, GuidelineDocument, GuidelineImage, GuidelineVersion, PortalSettings
from .rendering import plain_text_of

# --- Documents and versions ---------------------------------------------------


def _newest_version_id(document_ref) -> Subquery:
    return Subquery(
        GuidelineVersion.objects.filter(document_id=document_ref).order_by("-number").values("id")[:1],
    )


def guideline_versions_current() -> QuerySet[GuidelineVersion]:
    """The newest version of every document, in portal order, with its document loaded (one query)."""
    newest = GuidelineVersion.objects.filter(document_id=OuterRef("document_id")).order_by("-number").values("id")[:1]
    return (
        GuidelineVersion.objects.filter(id=Subquery(newest))
        .select_related("document", "created_by")
        .order_by("document__position", "document__title", "document_id")
    )


def guideline_document_get(*, slug: str) -> GuidelineDocument:
    document = GuidelineDocument.objects.filter(slug=slug).first()
    if document is None:
        raise Http404("No such guideline.")
    return document


def guideline_version_history(*, document: GuidelineDocument) -> QuerySet[GuidelineVersion]:
    return document.versions.select_related("created_by").order_by("-number")


def guideline_version_get(*, document: GuidelineDocument, number: int) -> GuidelineVersion:
    version = document.versions.select_related("document", "created_by").filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    return version


def guideline_documents_for_comms() -> QuerySet[GuidelineDocument]:
    """Every document with its version count and newest version number (drafts without versions included)."""
    newest_number = Subquery(
        GuidelineVersion.objects.filter(document_id=OuterRef("pk")).order_by("-number").values("number")[:1]
    )
    return GuidelineDocument.objects.annotate(version_count=Count("versions"), current_number=newest_number).order_by(
        "position", "title"
    )


def guideline_images() -> QuerySet[GuidelineImage]:
    return GuidelineImage.objects.select_related("uploaded_by").order_by("-created_at", "-id")


@dataclass(frozen=True)
class SearchHit:
    version: GuidelineVersion
    excerpts: list[tuple[str, str, str]]  # (before, match, after), plain text: the template escapes it


def guideline_search(*, query: str, versions=None, excerpts_per_document: int = 3) -> list[SearchHit]:
    """Current guidelines whose text contains the query (case-insensitive), with excerpts around each match."""
    query = " ".join((query or "").split())
    if not query:
        return []
    versions = guideline_versions_current() if versions is None else versions
    hits = []
    for version in versions:
        text = f"{version.document.title}. {plain_text_of(version.body_html)}"
        # Indexes into the folded text must match the original: casefold() can change lengths ("ß" -> "ss").
        fold = str.casefold if len(text.casefold()) == len(text) else str.lower
        folded, needle = fold(text), fold(query)
        excerpts, start = [], 0
        while len(excerpts) < excerpts_per_document:
            index = folded.find(needle, start)
            if index == -1:
                break
            end = index + len(query)
            excerpts.append((text[max(0, index - 60) : index], text[index:end], text[end : end + 60]))
            start = end
        if excerpts:
            hits.append(SearchHit(version=version, excerpts=excerpts))
    return hits


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "context", "added", "removed" or "gap"
    old_number: int | None
    new_number: int | None
    text: str


def guideline_version_diff(*, old: GuidelineVersion, new: GuidelineVersion, context: int = 3) -> list[DiffLine]:
    """A line diff of the Markdown sources, as plain-text lines (rendered escaped by the template)."""
    old_lines, new_lines = old.body.splitlines(), new.body.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for group_index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if group_index:
            lines.append(DiffLine("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("context", i + 1, j + 1, old_lines[i]) for i, j in zip(range(i1, i2), range(j1, j2))]
                continue
            if tag in ("replace", "delete"):
                lines += [DiffLine("removed", i + 1, None, old_lines[i]) for i in range(i1, i2)]
            if tag in ("replace", "insert"):
                lines += [DiffLine("added", None, j + 1, new_lines[j]) for j in range(j1, j2)]
    return lines


# --- The social media policy and acknowledgement --------------------------------


def policy_document() -> GuidelineDocument | None:
    return GuidelineDocument.objects.filter(kind=GuidelineDocument.Kind.POLICY).first()


def policy_version_current() -> GuidelineVersion | None:
    """The newest version of the social media policy (what a share records as in force), or None."""
    return (
        GuidelineVersion.objects.filter(document__kind=GuidelineDocument.Kind.POLICY)
        .select_related("document")
        .order_by("-number")
        .first()
    )


def policy_version_requiring_acknowledgement() -> GuidelineVersion | None:
    """The newest MAJOR version of the policy: acknowledging it or any later version satisfies the rule."""
    return (
        GuidelineVersion.objects.filter(document__kind=GuidelineDocument.Kind.POLICY, is_major=True)
        .select_related("document")
        .order_by("-number")
        .first()
    )


def _acknowledged_q(*, major: GuidelineVersion, user_ref="pk") -> Exists:
    return Exists(
        Acknowledgement.objects.filter(
            user_id=OuterRef(user_ref), version__document_id=major.document_id, version__number__gte=major.number
        )
    )


def acknowledgement_required(*, user) -> bool:
    """True when acknowledgement is switched on and this person has not acknowledged the current major policy."""
    if not settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT or not user.is_authenticated:
        return False
    major = policy_version_requiring_acknowledgement()
    if major is None:
        return False
    return not Acknowledgement.objects.filter(
        user_id=user.pk, version__document_id=major.document_id, version__number__gte=major.number
    ).exists()


def acknowledgement_last(*, user) -> Acknowledgement | None:
    """This person's most recent acknowledgement of the policy (the newest version they acknowledged)."""
    return (
        Acknowledgement.objects.filter(user_id=user.pk, version__document__kind=GuidelineDocument.Kind.POLICY)
        .select_related("version", "version__document")
        .order_by("-version__number")
        .first()
    )


def policy_versions_between(*, old: GuidelineVersion, new: GuidelineVersion) -> QuerySet[GuidelineVersion]:
    """The versions after old up to and including new: what changed since someone last acknowledged."""
    return GuidelineVersion.objects.filter(
        document_id=new.document_id, number__gt=old.number, number__lte=new.number
    ).order_by("number")


def employees_needing_acknowledgement(*, team: Team | None = None) -> QuerySet[User]:
    """Active employees who have not acknowledged the current major policy version (none when nothing is required)."""
    major = policy_version_requiring_acknowledgement()
    if major is None:
        return User.objects.none()
    people = active_employees().exclude(_acknowledged_q(major=major)).distinct()
    if team is not None:
        people = people.filter(team=team)
    return people.order_by("display_name", "username")


@dataclass(frozen=True)
class TeamRate:
    team: Team | None
    members: int
    acknowledged: int

    @property
    def pending(self) -> int:
        return self.members - self.acknowledged

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.members) if self.members else 0


def acknowledgement_rates_by_team() -> dict:
    """Per team (and people without a team): active employees and how many acknowledged the current major version.

    Two queries: the major version, then one grouped count over employees.
    """
    major = policy_version_requiring_acknowledgement()
    employees = active_employees()
    if major is not None:
        employees = employees.annotate(has_acknowledged=_acknowledged_q(major=major))
        acknowledged_filter = Q(has_acknowledged=True)
    else:
        acknowledged_filter = Q(pk__in=[])
    rows = (
        employees.values("team_id", team_name=F("team__name"), team_slug=F("team__slug"))
        .annotate(
            members=Count("pk", distinct=True), acknowledged=Count("pk", filter=acknowledged_filter, distinct=True)
        )
        .order_by(F("team__name").asc(nulls_last=True))
    )
    rates = []
    for row in rows:
        team = Team(id=row["team_id"], name=row["team_name"], slug=row["team_slug"]) if row["team_id"] else None
        rates.append(TeamRate(team=team, members=row["members"], acknowledged=row["acknowledged"]))
    total = TeamRate(team=None, members=sum(r.members for r in rates), acknowledged=sum(r.acknowledged for r in rates))
    return {"version": major, "rates": rates, "total": total}


# --- Caption rules -----------------------------------------------------------


def banned_terms_active() -> QuerySet[BannedTerm]:
    return BannedTerm.objects.filter(is_active=True).order_by("term")


def banned_terms_all() -> QuerySet[BannedTerm]:
    return BannedTerm.objects.select_related("created_by").order_by("-is_active", "term")


def portal_settings_get() -> PortalSettings:
    """The portal's one settings row (its defaults until comms save it)."""
    return PortalSettings.objects.filter(pk=1).first() or PortalSettings(pk=1)


def post_enters_reward_draw(post) -> bool:
    """Whether sharing this post enters the employee in a reward draw (then #ad, not #employee, is required).

    The draws app answers through the check it registered (guidelines.registry); with no
    draws app installed, no post enters a draw.
    """
    return any(check(post=post) for check in registry.reward_draw_checks())


# --- Start pages (advocacy.homes) -----------------------------------------------


def home_policy_state(*, user, now) -> dict:
    """The employee home's policy line: acknowledged (which version), to acknowledge, or nothing (two queries)."""
    last = acknowledgement_last(user=user)
    required = acknowledgement_required(user=user)
    return {"policy_required": required, "policy_last": last, "policy_exists": last is not None or required}


def home_people_and_acknowledgements(*, user, now) -> dict:
    """The HR home's people figures: active employees, who acknowledged the current major policy,
    the teams furthest behind, and how many accounts are deactivated (three queries)."""
    rates = acknowledgement_rates_by_team()
    behind = sorted((rate for rate in rates["rates"] if rate.pending), key=lambda rate: (rate.percent, -rate.pending))
    return {
        "ack_version": rates["version"],
        "ack_total": rates["total"],
        "ack_behind": behind[:5],
        "people_deactivated": User.objects.filter(is_active=False).count(),
    }
