"""Where things live on disk: the default database and the bundled resources."""

from __future__ import annotations

from pathlib import Path

import platformdirs

# ASCII folder name: some Windows shares and backup tools still mangle CJK paths.
DATA_DIR_NAME = "DuchaTaizhang"
DEFAULT_DB_NAME = "ledger.sqlite"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES_DIR = PROJECT_ROOT / "resources"
SAMPLE_PLAN = RESOURCES_DIR / "plans" / "tengzhou-2021-9.txt"
APP_ICON = RESOURCES_DIR / "icons" / "app.svg"


def user_data_dir() -> Path:
    """The platform's per-user data folder for this app (not created here)."""
    return Path(platformdirs.user_data_dir(DATA_DIR_NAME, appauthor=False, roaming=False))


def default_db_path() -> Path:
    """The user's own local database: one per user, never on a shared drive."""
    return user_data_dir() / DEFAULT_DB_NAME
