"""Write a local-development .env with fresh secrets, unless the file already exists.

Used by `make demo`. The file turns DEBUG on and allows file:// git remotes
for the demo repositories; never use it in production.
"""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet


def main(target: str) -> None:
    path = Path(target)
    if path.exists():
        print(f"{path} exists; keeping it.")
        return
    path.write_text(
        "# Local development settings written by `make demo`. Not for production.\n"
        "DEBUG=on\n"
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"TINYFORGE_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
        "TINYFORGE_GIT_ALLOW_FILE_URLS=on\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    print(f"Wrote {path} with a new SECRET_KEY and encryption key.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".env")
