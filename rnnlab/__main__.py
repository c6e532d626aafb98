"""Command line: ``python -m rnnlab data | student SRC DEST``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnlab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("data", help="fetch and verify the course's data sets (MNIST) into the cache")
    student = commands.add_parser("student", help="write learner versions of the notebooks")
    student.add_argument("source", type=Path, help="folder with the course notebooks, e.g. book/")
    student.add_argument("dest", type=Path, help="folder to write the learner versions to")
    args = parser.parse_args(argv)

    try:
        if args.command == "data":
            from rnnlab.data import data_dir, load_mnist

            load_mnist(verbose=True)
            print(f"cached in {data_dir()}")
        elif args.command == "student":
            from rnnlab.exercises.student import export_student_versions

            written = export_student_versions(args.source, args.dest)
            print(f"wrote {len(written)} learner notebooks to {args.dest}")
    except (OSError, ValueError, RuntimeError) as error:
        print(f"python -m rnnlab {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
