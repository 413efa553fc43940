"""pytest collects only ``testpaths`` when run bare (as ``bin/test`` and so CI run it): an app left out of that list
has its tests silently skipped, as the REST API's and the webhooks' once were."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_with_tests_is_in_testpaths():
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    testpaths = set(config["pytest"]["testpaths"].split())
    with_tests = {path.parent.name for path in ROOT.glob("*/tests/__init__.py")} | {"tests"}
    assert with_tests - testpaths == set()
