"""Demo people: about 60 employees in 6 teams, plus the three documented logins."""

from django.conf import settings
from django.db import transaction

from .models import Team, User
from .roles import Role
from .services import team_get_or_create, user_create

TEAMS = [
    ("Engineering", Team.Kind.DEPARTMENT),
    ("Sales", Team.Kind.DEPARTMENT),
    ("Marketing", Team.Kind.DEPARTMENT),
    ("People & Culture", Team.Kind.DEPARTMENT),
    ("Customer Success", Team.Kind.DEPARTMENT),
    ("Lyon Office", Team.Kind.LOCATION),
]
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Farah",
    "Gabriel",
    "Hana",
    "Ivan",
    "Jonas",
    "Keiko",
    "Liam",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoé",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
    "Esther",
]
LAST_NAMES = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Patel",
    "Yilmaz",
    "Haddad",
    "Costa",
    "Sato",
    "Petrov",
    "Becker",
    "Tanaka",
    "Murphy",
    "Cohen",
    "Rahman",
    "Farouk",
    "Iyer",
    "Dubois",
    "Alvarez",
    "Nieminen",
    "Kapoor",
]
JOB_TITLES = ["Engineer", "Account Executive", "Designer", "Recruiter", "Support Lead", "Analyst", "Manager"]

DEMO_LOGINS = [
    ("employee", "Erin Employee", Role.EMPLOYEE, "Engineering"),
    ("comms", "Casey Comms", Role.COMMS_ADMIN, "Marketing"),
    ("hr", "Harper HR", Role.HR, "People & Culture"),
]
EMPLOYEE_COUNT = 60


def demo_two_step_note() -> str:
    """What the demo logins of a role that needs two-step sign-in should expect (printed with the logins)."""
    required = [username for username, _name, role, _team in DEMO_LOGINS if role.value in settings.MFA_REQUIRED_ROLES]
    if not settings.MFA_REQUIRED or not required:
        return "Two-step sign-in is optional for everyone (MFA_REQUIRED=false); anyone may turn it on in their profile."
    names = " and ".join(repr(username) for username in required)
    return (
        f"{names} must set up an authenticator app at first sign-in (MFA_REQUIRED_ROLES); "
        "to try them without one, start with MFA_REQUIRED=false."
    )


@transaction.atomic
def seed(*, rng, now, log) -> None:
    teams = {name: team_get_or_create(name=name, kind=kind) for name, kind in TEAMS}
    created = 0
    for username, display_name, role, team_name in DEMO_LOGINS:
        if not User.objects.filter(username=username).exists():
            first, last = display_name.split(" ", 1)
            roles = [Role.EMPLOYEE, role] if role != Role.EMPLOYEE else [Role.EMPLOYEE]
            user_create(
                username=username,
                email=f"{username}@example.com",
                password=settings.DEMO_PASSWORD,
                display_name=display_name,
                first_name=first,
                last_name=last,
                team=teams[team_name],
                roles=roles,
            )
            created += 1
    team_list = list(teams.values())
    for index in range(EMPLOYEE_COUNT - len(DEMO_LOGINS)):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        username = f"{first}.{last}".lower().replace("é", "e")
        team = team_list[index % len(team_list)]
        job = JOB_TITLES[rng.randrange(len(JOB_TITLES))]
        if User.objects.filter(username=username).exists():
            continue
        user = user_create(
            username=username,
            email=f"{username}@example.com",
            password=None,
            display_name=f"{first} {last}",
            first_name=first,
            last_name=last,
            team=team,
        )
        user.job_title = job
        if index % 5 == 0:
            user.mastodon_handle = f"@{first.lower().replace('é', 'e')}@mastodon.example"
        if index % 4 == 0:
            user.bluesky_handle = f"{username.replace('.', '-')}.bsky.social"
        user.hide_from_leaderboards = index % 17 == 0
        user.save()
        created += 1
    log(f"people: {created} people created, {User.objects.count()} in total, {len(teams)} teams")
    log(f"people: demo logins {', '.join(name for name, *_ in DEMO_LOGINS)} (password {settings.DEMO_PASSWORD!r})")
    log(f"people: {demo_two_step_note()}")
