"""Demo people and organizations for seed_demo. Idempotent: keyed on slugs and emails."""

from accounts.models import Organization, OrganizationKind, Role, User

DEMO_PASSWORD = "onboard-demo-2026"

VENDOR = ("northwind-it", "Northwind IT Services")
STAFF = [
    ("admin@northwind.example", "Alex Admin", Role.VENDOR_ADMIN, True),
    ("cto@northwind.example", "Casey Chen (CTO)", Role.EXECUTIVE, False),
    ("coo@northwind.example", "Morgan Ortiz (COO)", Role.EXECUTIVE, False),
    ("director@northwind.example", "Dana Director", Role.DIRECTOR, False),
    ("csm.anna@northwind.example", "Anna Kowalska", Role.CSM, False),
    ("csm.ben@northwind.example", "Ben Okafor", Role.CSM, False),
    ("pm.petra@northwind.example", "Petra Novak", Role.PM, False),
    ("pm.omar@northwind.example", "Omar Haddad", Role.PM, False),
    ("dev.lena@northwind.example", "Lena Fischer", Role.TEAM_MEMBER, False),
    ("sales.sam@northwind.example", "Sam Rivera (Account executive)", Role.TEAM_MEMBER, False),
]
CLIENTS = [
    (
        "acme-logistics",
        "Acme Logistics",
        [
            ("keyuser@acme.example", "Katarzyna Key (Acme)", Role.CLIENT_KEY_USER),
            ("it@acme.example", "Ivan Teller (Acme)", Role.CLIENT_MEMBER),
        ],
    ),
    (
        "globex-retail",
        "Globex Retail",
        [
            ("keyuser@globex.example", "Grace Key (Globex)", Role.CLIENT_KEY_USER),
            ("ops@globex.example", "Olu Peters (Globex)", Role.CLIENT_MEMBER),
        ],
    ),
    (
        "initech-finance",
        "Initech Finance",
        [
            ("keyuser@initech.example", "Ida Key (Initech)", Role.CLIENT_KEY_USER),
            ("cfo@initech.example", "Carl Finch (Initech)", Role.CLIENT_MEMBER),
        ],
    ),
    (
        "baltyk-energia",
        "Bałtyk Energia S.A.",
        [
            ("keyuser@baltyk.example", "Małgorzata Wiśniewska (Bałtyk)", Role.CLIENT_KEY_USER),
            ("it@baltyk.example", "Tomasz Zieliński (Bałtyk)", Role.CLIENT_MEMBER),
        ],
    ),
]
# Clients whose people speak another language than English (their content is in it too: engagements' demo).
CLIENT_LANGUAGES = {"baltyk-energia": "pl"}


def _person(email, full_name, organization, role, *, is_superuser=False, language="en"):
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": full_name,
            "organization": organization,
            "role": role,
            "is_staff": is_superuser,
            "is_superuser": is_superuser,
            "time_zone": "Europe/Warsaw",
            "language": language,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed():
    """Returns {"vendor": org, "clients": {slug: org}, "people": {email: user}}."""
    vendor, _ = Organization.objects.get_or_create(
        slug=VENDOR[0], defaults={"name": VENDOR[1], "kind": OrganizationKind.VENDOR}
    )
    people = {}
    for email, name, role, is_superuser in STAFF:
        people[email] = _person(email, name, vendor, role, is_superuser=is_superuser)
    clients = {}
    for slug, name, members in CLIENTS:
        org, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name, "kind": OrganizationKind.CLIENT})
        clients[slug] = org
        for email, full_name, role in members:
            people[email] = _person(email, full_name, org, role, language=CLIENT_LANGUAGES.get(slug, "en"))
    return {"vendor": vendor, "clients": clients, "people": people}
