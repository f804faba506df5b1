#!/usr/bin/env python3
"""The README's tables of what the hub and an agent may do are the ones
`kubectl harborrobot install --dry-run --rbac-table` renders from the objects
install applies, for managed and external agents: neither can drift.
usage: readme_tables_test.py <kubectl-harborrobot binary>"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))


def readme_table(text, mode):
    found = re.search(rf"<!-- rbac-table {mode} -->\n(.*?)<!-- /rbac-table -->", text, re.S)
    if not found:
        raise AssertionError(f"README.md has no <!-- rbac-table {mode} --> section")
    return found.group(1)


def main():
    binary = sys.argv[1]
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    failed = False
    for mode in ("managed", "external"):
        rendered = subprocess.run([binary, "install", "--dry-run", "--rbac-table", "--agents",
                                   mode], capture_output=True, text=True, check=True).stdout
        if readme_table(readme, mode) != rendered:
            failed = True
            print(f"README.md's {mode} table differs from `install --dry-run --rbac-table "
                  f"--agents {mode}`; paste this between its markers:\n{rendered}")
    if not failed:
        print("README tables match the install objects")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
