"""The app's PostgreSQL sessions run without the JIT compiler: it spent ~10 s compiling the director's figures
query (one subquery per health signal over 2,000 engagements) that then ran in about one."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_postgresql_sessions_have_the_jit_compiler_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
