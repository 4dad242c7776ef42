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
